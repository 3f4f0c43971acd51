// Limits, security checks and regression cases from fuzzing (docs/language.md, "Limits" and
// "Security").

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/parse/limits.h"
#include "compiler/parse/parse.h"

namespace kfpc {
namespace {

namespace fs = std::filesystem;

struct Checked {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  check::CheckResult result;

  std::string Rendered() const { return diag::RenderAll(sources, sink.diagnostics()); }
  size_t Count(diag::Kind kind) const {
    size_t count = 0;
    for (const diag::Diagnostic& d : sink.diagnostics()) count += d.kind == kind;
    return count;
  }
};

// Checks the file `root` of `files` in memory; imports are read from `files` too.
std::unique_ptr<Checked> CheckFiles(const std::string& root,
                                    const std::map<std::string, std::string>& files) {
  auto checked = std::make_unique<Checked>();
  check::FileLoader loader = [files](const std::string& path) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  diag::FileId id = checked->sources.AddFile(root, files.at(root));
  checked->result = check::Check(checked->sources, id, loader, checked->sink);
  return checked;
}

std::unique_ptr<Checked> CheckSource(const std::string& source) {
  return CheckFiles("/project/main.kf", {{"/project/main.kf", source}});
}

std::string EchoPipeline(const std::string& argument, const std::string& settings = "") {
  return "component echo(message: string) {\n"
         "  image = \"alpine:3.19\"\n"
         "  command = [\"echo\", message]\n"
         "}\n"
         "pipeline p() {\n"
         "  echo(message = " + argument + ") {" + settings + "}\n"
         "}\n";
}

// --- `{{$` in string literals -----------------------------------------------------------------

TEST(BackendPlaceholder, EscapedBracesRejected) {
  auto checked = CheckSource(EchoPipeline(R"("\{\{$.inputs.parameters['x']\}\}")"));
  EXPECT_EQ(checked->Count(diag::Kind::kBackendPlaceholderInString), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("help: to keep the text, put a space between `{{` and `$`"),
            std::string::npos)
      << checked->Rendered();
}

TEST(BackendPlaceholder, UnicodeEscapesRejected) {
  auto checked = CheckSource(EchoPipeline(R"("\u{7B}\u{7B}$.x")"));
  EXPECT_EQ(checked->Count(diag::Kind::kBackendPlaceholderInString), 1u) << checked->Rendered();
}

TEST(BackendPlaceholder, RawStringRejected) {
  auto checked = CheckSource(EchoPipeline(R"("""run {{$.outputs}}""")"));
  EXPECT_EQ(checked->Count(diag::Kind::kBackendPlaceholderInString), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("raw strings have no escapes"), std::string::npos);
}

TEST(BackendPlaceholder, EscapedDollarAccepted) {
  auto checked = CheckSource(EchoPipeline(R"("\{\{\$.pipeline_job_name\}\}")"));
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
}

TEST(BackendPlaceholder, SpacedTextAccepted) {
  auto checked = CheckSource(EchoPipeline(R"("\{\{ $x \}\} and \{$ and $\{\{")"));
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
}

// --- literal credentials ------------------------------------------------------------------------

TEST(LiteralCredential, AwsAccessKeyIdInArgument) {
  auto checked = CheckSource(EchoPipeline(R"("AKIAIOSFODNN7EXAMPLE")"));
  EXPECT_EQ(checked->Count(diag::Kind::kLiteralCredential), 1u) << checked->Rendered();
  EXPECT_FALSE(checked->sink.has_errors()) << "a credential is a warning, not an error";
  EXPECT_NE(checked->Rendered().find("warning: string literal contains an AWS access key id"),
            std::string::npos)
      << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("`secret_env`"), std::string::npos);
}

TEST(LiteralCredential, SecretNextToAwsSecretName) {
  auto checked = CheckSource(EchoPipeline(
      "\"x\"", "\n    env AWS_SECRET_ACCESS_KEY = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n  "));
  EXPECT_EQ(checked->Count(diag::Kind::kLiteralCredential), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("`AWS_SECRET_ACCESS_KEY` is set to a literal value"),
            std::string::npos)
      << checked->Rendered();
}

TEST(LiteralCredential, GithubTokenAndPrivateKeyInDefaults) {
  auto checked = CheckSource(
      "pipeline p(token: string = \"ghp_0123456789abcdefghijABCDEFGHIJ012345\",\n"
      "           key: string = \"\"\"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n\"\"\") {}\n");
  EXPECT_EQ(checked->Count(diag::Kind::kLiteralCredential), 2u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("a GitHub token"), std::string::npos);
  EXPECT_NE(checked->Rendered().find("a private key"), std::string::npos);
}

TEST(LiteralCredential, FlagBeforeValueInList) {
  auto checked = CheckSource(
      "component login(user: string) {\n"
      "  image = \"alpine:3.19\"\n"
      "  command = [\"login\", \"--password\", \"hunter2hunter2\", \"--db-token=s3cr3tvalue\", user]\n"
      "}\n");
  EXPECT_EQ(checked->Count(diag::Kind::kLiteralCredential), 2u) << checked->Rendered();
}

TEST(LiteralCredential, ReferencesAndPlaceholdersNotWarned) {
  auto checked = CheckSource(EchoPipeline(
      "\"AKIA-not-a-key\"",
      "\n    env AWS_SECRET_ACCESS_KEY_FILE = \"/var/run/secrets/aws\"\n"
      "    env GITHUB_TOKEN = \"$(cat /secrets/token)\"\n    env API_TOKEN = \"short\"\n  "));
  EXPECT_EQ(checked->Count(diag::Kind::kLiteralCredential), 0u) << checked->Rendered();
}

// --- imports outside the project ----------------------------------------------------------------

class ProjectDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("kfpc_hardening_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "project" / "lib");
    Write(base_ / "project" / "kfpc.yaml", "version: 1\n");
    Write(base_ / "outside.kf", "artifact Outside\n");
    Write(base_ / "project" / "lib" / "inside.kf",
          "artifact Inside { schema_title = \"acme.Inside\" }\n");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  std::unique_ptr<Checked> CheckOnDisk(const std::string& imports,
                                       std::vector<std::string> import_directories = {}) {
    fs::path root = base_ / "project" / "lib" / "main.kf";
    Write(root, imports);
    auto checked = std::make_unique<Checked>();
    diag::FileId id = checked->sources.AddFile(root.string(), imports);
    check::CheckOptions options;
    options.import_directories = std::move(import_directories);
    checked->result =
        check::Check(checked->sources, id, check::DiskLoader(), checked->sink, options);
    return checked;
  }

  fs::path base_;
};

TEST_F(ProjectDirectory, ImportInsideAccepted) {
  auto checked = CheckOnDisk("import \"inside.kf\"\n");
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
}

TEST_F(ProjectDirectory, DotDotOutsideRejected) {
  auto checked = CheckOnDisk("import \"../../outside.kf\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportOutsideProject), 1u) << checked->Rendered();
  EXPECT_EQ(checked->sources.file_count(), 1u) << "the outside file must not be read";
}

TEST_F(ProjectDirectory, AbsolutePathOutsideRejected) {
  auto checked = CheckOnDisk("import \"" + (base_ / "outside.kf").string() + "\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportOutsideProject), 1u) << checked->Rendered();
}

TEST_F(ProjectDirectory, SymlinkOutsideRejected) {
  fs::create_symlink(base_ / "outside.kf", base_ / "project" / "lib" / "link.kf");
  auto checked = CheckOnDisk("import \"link.kf\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportOutsideProject), 1u) << checked->Rendered();
}

TEST_F(ProjectDirectory, DotDotInsideAccepted) {
  Write(base_ / "project" / "shared.kf", "artifact Shared { schema_title = \"acme.Shared\" }\n");
  auto checked = CheckOnDisk("import \"../shared.kf\"\n");
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
}

TEST_F(ProjectDirectory, OversizedImportStopsReading) {
  // A sparse file: the loader must stop after the limit instead of reading all of it.
  fs::path big = base_ / "project" / "lib" / "big.kf";
  Write(big, "");
  fs::resize_file(big, std::uintmax_t{1} << 32);
  auto checked = CheckOnDisk("import \"big.kf\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kFileTooLarge), 1u) << checked->Rendered();
}

TEST_F(ProjectDirectory, AllowedDirectoryAcceptsEverySpelling) {
  fs::create_directories(base_ / "shared");
  Write(base_ / "shared" / "common.kf", "artifact Common { schema_title = \"acme.Common\" }\n");
  fs::create_symlink(base_ / "shared" / "common.kf", base_ / "project" / "lib" / "common_link.kf");
  std::vector<std::string> allowed = {(base_ / "shared").string()};
  for (const std::string& spelling :
       {std::string("../../shared/common.kf"), (base_ / "shared" / "common.kf").string(),
        std::string("common_link.kf")}) {
    auto checked = CheckOnDisk("import \"" + spelling + "\"\n", allowed);
    EXPECT_FALSE(checked->sink.has_errors()) << spelling << "\n" << checked->Rendered();
    EXPECT_EQ(checked->sources.file_count(), 2u) << spelling;
  }
}

TEST_F(ProjectDirectory, AllowedDirectoryDoesNotAllowItsParent) {
  fs::create_directories(base_ / "shared");
  std::vector<std::string> allowed = {(base_ / "shared").string()};
  auto checked = CheckOnDisk("import \"../../outside.kf\"\n", allowed);
  EXPECT_EQ(checked->Count(diag::Kind::kImportOutsideProject), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("`import_directories`"), std::string::npos)
      << checked->Rendered();
}

// --- spellings of one imported file ---------------------------------------------------------------

TEST_F(ProjectDirectory, SymlinkAndPathImportedOnce) {
  fs::create_symlink(base_ / "project" / "lib" / "inside.kf", base_ / "project" / "lib" / "alias.kf");
  auto checked = CheckOnDisk("import \"inside.kf\"\nimport \"alias.kf\"\n");
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
  EXPECT_EQ(checked->Count(diag::Kind::kDuplicateDeclaration), 0u) << checked->Rendered();
  EXPECT_EQ(checked->sources.file_count(), 2u) << "the second spelling must not be read again";
}

TEST_F(ProjectDirectory, DotAndDotDotImportedOnce) {
  auto checked = CheckOnDisk("import \"./inside.kf\"\nimport \"../lib/inside.kf\"\n");
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
  EXPECT_EQ(checked->sources.file_count(), 2u);
}

TEST_F(ProjectDirectory, DotDotThroughSymlinkedDirectoryImportedOnce) {
  // `linked/..` is `project/other`, not `lib`, once the link is resolved.
  fs::create_directories(base_ / "project" / "other" / "deep");
  fs::create_directory_symlink(base_ / "project" / "other" / "deep",
                               base_ / "project" / "lib" / "linked");
  Write(base_ / "project" / "other" / "shared.kf",
        "artifact Shared { schema_title = \"acme.Shared\" }\n");
  auto checked = CheckOnDisk("import \"linked/../shared.kf\"\nimport \"../other/shared.kf\"\n");
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
  EXPECT_EQ(checked->sources.file_count(), 2u);
}

TEST_F(ProjectDirectory, CycleThroughSymlinkReported) {
  fs::path lib = base_ / "project" / "lib";
  Write(lib / "a.kf", "import \"b.kf\"\nartifact A { schema_title = \"acme.A\" }\n");
  Write(lib / "b.kf", "import \"a_link.kf\"\nartifact B { schema_title = \"acme.B\" }\n");
  fs::create_symlink(lib / "a.kf", lib / "a_link.kf");
  auto checked = CheckOnDisk("import \"a.kf\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportCycle), 1u) << checked->Rendered();
  EXPECT_EQ(checked->Count(diag::Kind::kDuplicateDeclaration), 0u) << checked->Rendered();
}

TEST_F(ProjectDirectory, CycleBackToRootThroughDotSpelling) {
  Write(base_ / "project" / "lib" / "b.kf", "import \"./../lib/./main.kf\"\n");
  auto checked = CheckOnDisk("import \"b.kf\"\nartifact Root { schema_title = \"acme.Root\" }\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportCycle), 1u) << checked->Rendered();
  EXPECT_EQ(checked->Count(diag::Kind::kDuplicateDeclaration), 0u) << checked->Rendered();
}

TEST_F(ProjectDirectory, DirectoryImportRejectedWithHelp) {
  fs::create_directories(base_ / "project" / "lib" / "parts");
  Write(base_ / "project" / "lib" / "parts" / "train.kf", "");
  auto checked = CheckOnDisk("import \"parts\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportNotFound), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("import `parts` names a directory, not a file"),
            std::string::npos)
      << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("help: import one `.kf` file of the directory, such as "
                                     "`\"parts/train.kf\"`"),
            std::string::npos)
      << checked->Rendered();
}

TEST_F(ProjectDirectory, FifoImportRejectedWithoutBlocking) {
  fs::path fifo = base_ / "project" / "lib" / "pipe.kf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Nothing writes to the FIFO: opening it for reading without O_NONBLOCK would hang the test.
  auto checked = CheckOnDisk("import \"pipe.kf\"\n");
  EXPECT_EQ(checked->Count(diag::Kind::kImportNotFound), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("names a FIFO (named pipe), not a regular file"),
            std::string::npos)
      << checked->Rendered();
}

TEST_F(ProjectDirectory, DiskLoaderRejectsFifo) {
  fs::path fifo = base_ / "project" / "lib" / "pipe.kf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(check::DiskLoader()(fifo.string()), std::nullopt);
}

TEST_F(ProjectDirectory, SocketImportRejected) {
  fs::path path = base_ / "project" / "lib" / "socket.kf";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.string().size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  auto checked = CheckOnDisk("import \"socket.kf\"\n");
  ::close(fd);
  EXPECT_NE(checked->Rendered().find("import `socket.kf` names a socket, not a regular file"),
            std::string::npos)
      << checked->Rendered();
}

// --- limits -------------------------------------------------------------------------------------

TEST(Limits, ImportDepth) {
  std::map<std::string, std::string> files;
  for (size_t i = 0; i <= parse::kMaxImportDepth + 1; ++i) {
    files["/project/f" + std::to_string(i) + ".kf"] =
        "import \"f" + std::to_string(i + 1) + ".kf\"\nartifact A" + std::to_string(i) + "\n";
  }
  files["/project/f" + std::to_string(parse::kMaxImportDepth + 2) + ".kf"] = "";
  auto checked = CheckFiles("/project/f0.kf", files);
  EXPECT_EQ(checked->Count(diag::Kind::kImportTooDeep), 1u) << checked->Rendered();
  EXPECT_EQ(checked->sources.file_count(), parse::kMaxImportDepth + 1);
}

TEST(Limits, FileSize) {
  std::string source(parse::kMaxFileBytes + 1, ' ');
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kFileTooLarge), 1u) << checked->Rendered();
  EXPECT_EQ(checked->sink.diagnostics().size(), 1u);
}

TEST(Limits, StringLength) {
  auto checked = CheckSource(EchoPipeline("\"" + std::string(parse::kMaxStringBytes, 'a') + "\""));
  EXPECT_EQ(checked->Count(diag::Kind::kStringTooLong), 1u);
  std::string rendered = checked->Rendered();
  EXPECT_NE(rendered.find("longer than the limit of 1024 KiB"), std::string::npos);
}

TEST(Limits, TasksPerPipeline) {
  std::string body;
  for (size_t i = 0; i <= parse::kMaxTasksPerPipeline; ++i) body += "  echo(message = \"x\")\n";
  std::string source = EchoPipeline("\"x\"") + "pipeline many() {\n" + body + "}\n";
  auto checked = CheckFiles("/project/main.kf", {{"/project/main.kf", source}});
  EXPECT_EQ(checked->Count(diag::Kind::kTooManyTasks), 1u) << checked->Rendered().substr(0, 2000);
  EXPECT_NE(checked->Rendered().find("pipeline `many` calls 10001 tasks, more than the limit of 10000"),
            std::string::npos);
}

TEST(Limits, DeepNestingIsDiagnosed) {
  std::string source = "pipeline p(x: list = " + std::string(100000, '[') + ") {}\n";
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kNestingTooDeep), 1u);
}

// The `<` and `>` of each `-> list<string>` added two levels that no later token took away, so a
// file with 127 such components reported E0806 at the 128th.
TEST(Limits, OutputTypesDoNotAddNesting) {
  std::string source;
  for (int i = 0; i < 300; ++i) {
    source += "component c" + std::to_string(i) +
              "() -> list<string> {\n  image = \"alpine\"\n  command = [\"sh\", Output.path]\n}\n";
  }
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kNestingTooDeep), 0u) << checked->Rendered().substr(0, 2000);
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered().substr(0, 2000);
}

// The parser keeps the `(` of `f(]` open while it recovers, so each `f(]` nests one level deeper.
// The nesting check counted the `]` as closing the `(`, and the parser recursed 3,000 levels deep
// and took 2.5 s on 3,000 of them.
TEST(Limits, MismatchedClosersStillNest) {
  std::string source = "pipeline p() {";
  for (int i = 0; i < 3000; ++i) source += "f(]";
  auto checked = CheckSource(source + "\n}\n");
  EXPECT_EQ(checked->Count(diag::Kind::kNestingTooDeep), 1u) << checked->Rendered().substr(0, 2000);
}

TEST(Limits, RunOfOpenBracesIsLinear) {
  // Every `{` without a `}` after it used to search to the end of the string: quadratic.
  auto checked = CheckSource(EchoPipeline("\"" + std::string(parse::kMaxStringBytes - 2, '{') + "\""));
  // No `}` follows any of them: the first is reported, not all million.
  EXPECT_EQ(checked->Count(diag::Kind::kInvalidInterpolation), 1u)
      << checked->Rendered().substr(0, 2000);
}

// A string of 3,000 unknown escapes gave 3,000 diagnostics, and a megabyte of them half a million,
// each kept and rendered. The sink keeps 1,000 and counts the rest.
TEST(Limits, DiagnosticsPastTheLimitAreCountedNotKept) {
  std::string escapes;
  for (int i = 0; i < 3000; ++i) escapes += "\\q";
  auto checked = CheckSource(EchoPipeline("\"" + escapes + "\""));
  const std::vector<diag::Diagnostic>& diagnostics = checked->sink.diagnostics();
  ASSERT_EQ(diagnostics.size(), diag::kMaxDiagnostics);
  EXPECT_EQ(checked->Count(diag::Kind::kInvalidEscape), diag::kMaxDiagnostics - 1);
  EXPECT_EQ(diagnostics.back().kind, diag::Kind::kDiagnosticsLeftOut);
  EXPECT_EQ(diagnostics.back().message,
            "2001 more diagnostics (2001 of them errors) are not shown, past the limit of 1000");
  EXPECT_EQ(checked->sink.error_count(), 3000u);
  // At the last place reported, so that `kfpc check` does not take it for an I/O error.
  EXPECT_TRUE(diagnostics.back().span.valid());
  for (const diag::Diagnostic& d : diagnostics) {
    EXPECT_LE(d.span.begin, diagnostics.back().span.begin);
  }
  EXPECT_NE(checked->Rendered().find(": error: 2001 more diagnostics"), std::string::npos);
}

TEST(Limits, RunOfUnterminatedHashRawStringsIsLinear) {
  // Each `#"""` without a `"""#` after it used to search to the end of the file: 10,000 of them
  // took 0.9 s, 40,000 took 14 s.
  std::string source;
  for (int i = 0; i < 100000; ++i) source += "#\"\"\"x\n";
  auto checked = CheckSource(source);
  EXPECT_TRUE(checked->sink.has_errors());
  EXPECT_NE(checked->Rendered().find("close the string with `\"\"\"#`"), std::string::npos);
}

// Each branch of an `if` chain kept a copy of the conditions of all branches before it, also in a
// chain over the branch limit: 16,000 branches held 128 million copies and took 23 s to check.
// Only a chain within the limit, which lowering reads, keeps them now.
TEST(Limits, LongIfChainKeepsNoConditions) {
  auto chain = [](size_t branches) {
    std::string source = "pipeline p(x: int) {\n  if x == 0 {\n  }";
    for (size_t i = 1; i < branches; ++i) source += " else if x == " + std::to_string(i) + " {\n  }";
    return source + "\n}\n";
  };
  auto within = CheckSource(chain(parse::kMaxIfBranches));
  EXPECT_FALSE(within->sink.has_errors()) << within->Rendered().substr(0, 2000);
  ASSERT_EQ(within->result.program->pipelines.size(), 1u);
  const auto& groups = within->result.program->pipelines[0]->groups;
  ASSERT_EQ(groups.size(), parse::kMaxIfBranches);
  EXPECT_EQ(groups.back()->previous_conditions.size(), parse::kMaxIfBranches - 1);

  auto over = CheckSource(chain(16000));
  EXPECT_EQ(over->Count(diag::Kind::kTooManyBranches), 1u) << over->Rendered().substr(0, 2000);
  ASSERT_EQ(over->result.program->pipelines.size(), 1u);
  size_t conditions = 0;
  for (const auto& group : over->result.program->pipelines[0]->groups) {
    conditions += group->previous_conditions.size();
  }
  EXPECT_EQ(conditions, 0u);
}

// `artifact A x` is one syntax error: `{` expected where `x` is.
std::string BadArtifacts(size_t count, const std::string& separator) {
  std::string source;
  for (size_t i = 0; i < count; ++i) source += "artifact A x" + separator;
  return source;
}

TEST(Limits, SyntaxErrorsStopAfterTheLimit) {
  auto at_limit = CheckSource(BadArtifacts(parse::kMaxSyntaxErrors, "\n"));
  EXPECT_EQ(at_limit->Count(diag::Kind::kSyntaxError), parse::kMaxSyntaxErrors);
  EXPECT_EQ(at_limit->Count(diag::Kind::kTooManySyntaxErrors), 0u);

  auto over = CheckSource(BadArtifacts(parse::kMaxSyntaxErrors + 50, "\n"));
  EXPECT_EQ(over->Count(diag::Kind::kSyntaxError), parse::kMaxSyntaxErrors);
  ASSERT_EQ(over->Count(diag::Kind::kTooManySyntaxErrors), 1u);
  EXPECT_NE(over->Rendered().find("main.kf:101:11: error: more than 100 syntax errors; the rest "
                                  "of the file is not read\n"),
            std::string::npos)
      << over->Rendered().substr(0, 2000);
}

// After each `not`, the parser dropped the `if` that cannot start an expression and read the next
// `not` one level deeper. No bracket marks those levels, so the nesting check missed them: 5,000
// pairs took 5 s and 40,000 overflowed the stack. The error limit stops it after 100 levels.
TEST(Limits, NestingErrorsStopAtLimit) {
  std::string pairs;
  for (int i = 0; i < 40000; ++i) pairs += "not if ";
  for (const std::string& source : {"pipeline p() {\n  x = " + pairs + "\n}\n",
                                    "pipeline p() {\n  x = f(a = " + pairs + ")\n}\n"}) {
    auto checked = CheckSource(source);
    EXPECT_EQ(checked->Count(diag::Kind::kTooManySyntaxErrors), 1u)
        << checked->Rendered().substr(0, 2000);
  }
}

// When only `{` fits, the parser looks for one further on the line. It looked at each token with
// LT(k), which walks k tokens, so every error took time quadratic in the rest of the line: 800
// `artifact A x` on one line took 17 s.
TEST(Limits, SearchForABraceOnALongLineIsLinear) {
  auto checked = CheckSource(BadArtifacts(20000, " "));
  EXPECT_EQ(checked->Count(diag::Kind::kTooManySyntaxErrors), 1u);
  // One error, whose search took 4.8 s.
  std::string names;
  for (int i = 0; i < 20000; ++i) names += "x ";
  auto single = CheckSource("artifact A " + names + "{\n}\n");
  EXPECT_EQ(single->Count(diag::Kind::kSyntaxError), 1u) << single->Rendered().substr(0, 2000);
}

// Pipeline p0 calls p1, which calls p2, and so on. Lowering recursed once per level and copied
// the components below each one: 1,600 levels took 9.4 s and 2.1 GB, 1,800 overflowed the stack,
// and the cycle check overflowed it at 30,000.
std::string PipelineChain(size_t pipelines) {
  std::string source =
      "component leaf() {\n  image = \"alpine\"\n  command = [\"true\"]\n}\n";
  for (size_t i = 0; i < pipelines; ++i) {
    std::string callee = i + 1 < pipelines ? "p" + std::to_string(i + 1) : "leaf";
    source += "pipeline p" + std::to_string(i) + "() {\n  " + callee + "()\n}\n";
  }
  return source;
}

TEST(Limits, PipelineDepth) {
  auto at_limit = CheckSource(PipelineChain(parse::kMaxPipelineDepth));
  EXPECT_FALSE(at_limit->sink.has_errors()) << at_limit->Rendered().substr(0, 2000);

  auto over = CheckSource(PipelineChain(parse::kMaxPipelineDepth + 1));
  EXPECT_EQ(over->Count(diag::Kind::kPipelinesTooDeep), 1u) << over->Rendered().substr(0, 2000);
  EXPECT_NE(over->Rendered().find("error: pipeline `p0` nests pipeline calls 65 levels deep, more "
                                  "than the limit of 64"),
            std::string::npos)
      << over->Rendered().substr(0, 2000);

  auto deep = CheckSource(PipelineChain(50000));
  EXPECT_EQ(deep->Count(diag::Kind::kPipelinesTooDeep), 1u);
}

TEST(Limits, PipelineCycleFoundWithoutRecursion) {
  std::string source = PipelineChain(50000);
  source.replace(source.rfind("leaf()"), 6, "p0()");
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kRecursivePipeline), 1u) << checked->Rendered().substr(0, 2000);
}

// Declares `count` components named c0, c1, ... with `inputs` string inputs each, i0, i1, ...
std::string ManyComponents(size_t count, size_t inputs) {
  std::string source;
  for (size_t c = 0; c < count; ++c) {
    source += "component c" + std::to_string(c) + "(";
    for (size_t i = 0; i < inputs; ++i) {
      source += (i > 0 ? ", i" : "i") + std::to_string(i) + ": string";
    }
    source += ") {\n  image = \"alpine\"\n  command = [\"true\"]\n}\n";
  }
  return source;
}

size_t CountHelp(const Checked& checked, const std::string& help) {
  size_t count = 0;
  for (const diag::Diagnostic& d : checked.sink.diagnostics()) count += d.help == help;
  return count;
}

TEST(Limits, SuggestionsStopAfterTheLimit) {
  std::string source = ManyComponents(1, 0) + "pipeline p() {\n";
  const size_t calls = parse::kMaxSuggestions + 50;
  for (size_t i = 0; i < calls; ++i) source += "  t" + std::to_string(i) + " = c1()\n";
  source += "}\n";
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kUnknownComponent), calls);
  EXPECT_EQ(CountHelp(*checked, "did you mean `c0`"), parse::kMaxSuggestions);
  EXPECT_EQ(CountHelp(*checked, "declare `c1` or import the file that declares it"),
            calls - parse::kMaxSuggestions);
}

TEST(Limits, MisspeltArgumentPastTheLimit) {
  // Every call misspells the one input `i0` as `i0x`. Before the limit the misspelling is
  // matched to `i0`; after it, the call must not report `i0` missing either.
  std::string source = ManyComponents(1, 1) + "pipeline p() {\n";
  const size_t calls = parse::kMaxSuggestions + 50;
  for (size_t i = 0; i < calls; ++i) source += "  t" + std::to_string(i) + " = c0(i0x = \"a\")\n";
  source += "}\n";
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kUnknownArgument), calls);
  EXPECT_EQ(CountHelp(*checked, "did you mean `i0`"), parse::kMaxSuggestions);
  EXPECT_EQ(checked->Count(diag::Kind::kMissingArgument), 0u)
      << checked->Rendered().substr(0, 2000);
}

// Pipeline statements that call the unknown component `callee` once more than the searches for
// a "did you mean" allow, so that later unknown names get no search.
std::string SearchesUsedUp(const std::string& callee) {
  std::string statements;
  for (size_t i = 0; i <= parse::kMaxSuggestions; ++i) {
    statements += "  u" + std::to_string(i) + " = " + callee + "()\n";
  }
  return statements;
}

TEST(Limits, SameErrorsBeforeAndAfterTheLimit) {
  // Three calls that each miss inputs, with unknown arguments that are or are not misspellings.
  const std::string calls =
      "  t1 = step(zzzz = \"q\")\n"                           // 1 unknown, a, b and c missing
      "  t2 = step(a = \"1\", aa = \"2\")\n"                  // 1 unknown, b and c missing
      "  t3 = step(a = \"1\", b = \"2\", qqqqqqq = \"3\")\n"  // 1 unknown, c missing
      "  t4 = step(a = \"1\", b = \"2\", cc = \"3\")\n";      // `cc` is `c` misspelt
  const std::string component =
      "component step(a: string, b: string, c: string) {\n  image = \"alpine\"\n"
      "  command = [\"true\"]\n}\n";
  std::string before = component + "pipeline p() {\n" + calls + "}\n";
  std::string after = component + "pipeline p() {\n" + SearchesUsedUp("nope") + calls + "}\n";
  auto checked_before = CheckSource(before);
  auto checked_after = CheckSource(after);
  EXPECT_EQ(checked_before->Count(diag::Kind::kUnknownArgument), 4u);
  EXPECT_EQ(checked_before->Count(diag::Kind::kMissingArgument), 6u) << checked_before->Rendered();
  EXPECT_EQ(checked_after->Count(diag::Kind::kUnknownArgument), 4u);
  EXPECT_EQ(checked_after->Count(diag::Kind::kMissingArgument), 6u) << checked_after->Rendered();
}

TEST(Limits, CloseInputNamesPastTheLimit) {
  // `learning_rate` is passed already, so `learningrate` is taken as a misspelt
  // `learning_rates`, which is then not reported missing, before the limit and after it.
  const std::string component =
      "component step(learning_rate: string, learning_rates: string) {\n  image = \"alpine\"\n"
      "  command = [\"true\"]\n}\n";
  const std::string call = "  t = step(learning_rate = \"x\", learningrate = \"y\")\n";
  std::string after = component + "pipeline p() {\n" + SearchesUsedUp("nope");
  for (const std::string& source :
       {component + "pipeline p() {\n" + call + "}\n", after + call + "}\n"}) {
    auto checked = CheckSource(source);
    EXPECT_EQ(checked->Count(diag::Kind::kUnknownArgument), 1u) << checked->Rendered();
    EXPECT_EQ(checked->Count(diag::Kind::kMissingArgument), 0u) << checked->Rendered();
  }
  // With every input passed, the help names the input that the unknown argument repeats.
  auto all_passed =
      CheckSource(component +
                  "pipeline p() {\n  t = step(learning_rate = \"x\", learning_rates = \"x\", "
                  "learningrate = \"y\")\n}\n");
  EXPECT_NE(
      all_passed->Rendered().find("help: remove `learningrate`: `learning_rate` is passed already"),
      std::string::npos)
      << all_passed->Rendered();
}

TEST(Limits, MissingArgumentPastTheLimit) {
  // Calls to the unknown `c9` use up the searches. A later call with no unknown argument still
  // reports its missing input.
  std::string source = ManyComponents(1, 1) + "pipeline p() {\n" + SearchesUsedUp("c9");
  const size_t calls = 50;
  for (size_t i = 0; i < calls; ++i) source += "  t" + std::to_string(i) + " = c0()\n";
  source += "}\n";
  auto checked = CheckSource(source);
  EXPECT_EQ(checked->Count(diag::Kind::kUnknownComponent), parse::kMaxSuggestions + 1);
  EXPECT_EQ(checked->Count(diag::Kind::kMissingArgument), calls);
}

TEST(Limits, LongListOfNamesIsCut) {
  auto checked = CheckSource(ManyComponents(1, 40) + "pipeline p() {\n  c0(zzz = \"a\")\n}\n");
  ASSERT_EQ(checked->Count(diag::Kind::kUnknownArgument), 1u) << checked->Rendered();
  std::string help;
  for (const diag::Diagnostic& d : checked->sink.diagnostics()) {
    if (d.kind == diag::Kind::kUnknownArgument) help = d.help;
  }
  EXPECT_EQ(help,
            "the inputs of `c0` are `i0`, `i1`, `i2`, `i3`, `i4`, `i5`, `i6`, `i7`, `i8`, `i9`, "
            "`i10`, `i11`, `i12`, `i13`, `i14` and 25 more");
}

TEST(Limits, ManyInputsFoundByName) {
  const size_t inputs = 300;
  std::string call = "  c0(";
  // In reverse order, so that no argument is found by a scan that stops early.
  for (size_t i = inputs; i-- > 0;) {
    call += "i" + std::to_string(i) + " = \"" + std::to_string(i) + "\"" + (i > 0 ? ", " : "");
  }
  auto checked = CheckSource(ManyComponents(1, inputs) + "pipeline p() {\n" + call + ")\n}\n");
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered().substr(0, 2000);
  ASSERT_EQ(checked->result.program->pipelines.size(), 1u);
  const auto& tasks = checked->result.program->pipelines[0]->tasks;
  ASSERT_EQ(tasks.size(), 1u);
  const sema::Component& component = *tasks[0]->component;
  for (size_t i = 0; i < inputs; ++i) {
    const sema::InputDef* input = component.FindInput("i" + std::to_string(i));
    ASSERT_NE(input, nullptr) << i;
    EXPECT_EQ(input, &component.inputs[i]);
  }
  EXPECT_EQ(component.FindInput("i300"), nullptr);
}

sema::InputDef Input(const std::string& name) {
  sema::InputDef input;
  input.name = name;
  return input;
}

TEST(NameIndex, FollowsChangesToTheVector) {
  sema::Component component;
  for (int i = 0; i < 20; ++i) component.inputs.push_back(Input("a" + std::to_string(i)));
  ASSERT_EQ(component.FindInput("a19"), &component.inputs[19]);
  // A copy looks names up in its own vector.
  sema::Component copy = component;
  EXPECT_EQ(copy.FindInput("a19"), &copy.inputs[19]);
  // The index is rebuilt after the vector grows, and after it is replaced.
  component.inputs.push_back(Input("late"));
  EXPECT_EQ(component.FindInput("late"), &component.inputs.back());
  std::vector<sema::InputDef> replaced;
  for (int i = 0; i < 21; ++i) replaced.push_back(Input("b" + std::to_string(i)));
  component.inputs = std::move(replaced);
  EXPECT_EQ(component.FindInput("a0"), nullptr);
  EXPECT_EQ(component.FindInput("b20"), &component.inputs[20]);
  // The first of two inputs with one name is found, as a scan would.
  component.inputs.push_back(Input("b3"));
  EXPECT_EQ(component.FindInput("b3"), &component.inputs[3]);
}

// --- `kfpc build` and `kfpc check` input size ---------------------------------------------------

TEST(Limits, DriverRejectsOversizedInputBeforeReading) {
  fs::path big = fs::temp_directory_path() / ("kfpc_big_" + std::to_string(::getpid()) + ".kf");
  std::ofstream(big).close();
  fs::resize_file(big, std::uintmax_t{64} << 30);  // sparse: reading it whole would take minutes
  std::string command = std::string(KFPC_BINARY) + " build " + big.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  fs::remove(big);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("the file is larger than the limit of 8 MiB"), std::string::npos) << output;
}

// --- regressions from fuzzing and from inputs longer than its -max_len (fuzz/regressions/) -----

// A retry duration with more digits than fit in an int64_t threw std::out_of_range from std::stoll
// when the pipeline was lowered, and one beyond a double from std::stod in the checker.
TEST(FuzzRegression, RetryDurationTooLongIsReported) {
  for (const std::string& duration :
       {std::string("99999999999999999999s"), std::string(60, '9') + "m",
        std::string("87660001h")}) {
    SCOPED_TRACE(duration);
    auto checked = CheckSource(EchoPipeline("\"x\"", " retry { max = 3  backoff = \"" +
                                                        duration + "\" } "));
    EXPECT_EQ(checked->Count(diag::Kind::kInvalidValue), 1u) << checked->Rendered();
    EXPECT_NE(checked->Rendered().find("is longer than the maximum, 315576000000s"),
              std::string::npos)
        << checked->Rendered();
  }
}

// std::regex_match recursed once per character of the duration and overflowed the stack.
TEST(FuzzRegression, RetryDurationOfManyDigitsIsInvalid) {
  auto checked = CheckSource(EchoPipeline(
      "\"x\"", " retry { max = 3  backoff = \"" + std::string(200000, '1') + "s\" } "));
  EXPECT_EQ(checked->Count(diag::Kind::kInvalidValue), 1u);
  // The message quotes the duration in full, which is the size of the input.
  EXPECT_NE(checked->Rendered().find("error: duration `111"), std::string::npos);
  EXPECT_NE(checked->Rendered().find("is longer than the maximum"), std::string::npos);
}

std::string TrainPipeline(const std::string& settings) {
  return "component train() {\n"
         "  image = \"alpine\"\n"
         "  command = [\"echo\"]\n"
         "}\n"
         "pipeline p() {\n"
         "  train() {\n" + settings + "  }\n"
         "}\n";
}

// std::regex_match recursed once per character of the field path and overflowed the stack.
TEST(FuzzRegression, LongFieldPathLabelKeyIsChecked) {
  auto checked = CheckSource(TrainPipeline(
      "    field_path_env {\n      name = \"POD_LABEL\"\n      field_path = \"metadata.labels['" +
      std::string(100000, 'a') + "']\"\n    }\n"));
  EXPECT_TRUE(checked->sink.has_errors());
  EXPECT_NE(checked->Rendered().find("label key"), std::string::npos);

  auto valid = CheckSource(TrainPipeline(
      "    field_path_env {\n      name = \"POD_LABEL\"\n"
      "      field_path = \"metadata.annotations['example.com/team']\"\n    }\n"));
  EXPECT_FALSE(valid->sink.has_errors()) << valid->Rendered();
}

// std::regex_match recursed once per digit of a `Gt` value and overflowed the stack.
TEST(FuzzRegression, LongIntegerNodeAffinityValue) {
  auto expression = [](const std::string& value) {
    return TrainPipeline("    node_affinity {\n      match_expression {\n        key = \"cores\"\n"
                         "        operator = \"Gt\"\n        values = [\"" + value +
                         "\"]\n      }\n    }\n");
  };
  auto digits = CheckSource(expression(std::string(100000, '1')));
  EXPECT_EQ(digits->Rendered().find("takes one integer value"), std::string::npos)
      << digits->Rendered().substr(0, 500);
  auto negative = CheckSource(expression("-8"));
  EXPECT_EQ(negative->Rendered().find("takes one integer value"), std::string::npos);
  for (const char* invalid : {"many", "-", "", "8-"}) {
    SCOPED_TRACE(invalid);
    auto checked = CheckSource(expression(invalid));
    EXPECT_NE(checked->Rendered().find("takes one integer value"), std::string::npos);
  }
}

TEST(FuzzRegression, RetryDurationAtMaximumIsAccepted) {
  auto checked = CheckSource(EchoPipeline("\"x\"", " retry { max = 3  backoff = \"87660h\"  "
                                                    "max_backoff = \"315576000000s\" } "));
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
}

// --- pip bootstrap, NUL and bidirectional control characters ----------------------------------

std::string PythonComponent(const std::string& settings) {
  return "component add(a: float) -> float {\n" + settings +
         "  python = \"\"\"\ndef add(a: float) -> float:\n    return a\n\"\"\"\n}\n"
         "pipeline p() {\n  add(a = 1.0)\n}\n";
}

TEST(PipBootstrap, ShellCharactersInIndexUrlRejected) {
  auto checked = CheckSource(
      PythonComponent("  pip_index_urls = [\"https://example.invalid/simple;touch /tmp/pwned;\"]\n"));
  EXPECT_EQ(checked->Count(diag::Kind::kUnsafePipRequirement), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("contains `;`"), std::string::npos) << checked->Rendered();
}

TEST(PipBootstrap, QuoteAndSubstitutionInPackageRejected) {
  auto checked = CheckSource(PythonComponent("  packages = [\"x'$(touch /tmp/pwned)\"]\n"));
  EXPECT_EQ(checked->Count(diag::Kind::kUnsafePipRequirement), 1u) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("contains `'`"), std::string::npos) << checked->Rendered();
}

TEST(PipBootstrap, OptionAndSingleQuotedMarkerRejected) {
  auto checked = CheckSource(PythonComponent(
      "  packages = [\"--index-url=https://evil.invalid\", "
      "\"numpy; python_version < '3.9'\"]\n  pip_trusted_hosts = [\"host name\"]\n"));
  EXPECT_EQ(checked->Count(diag::Kind::kUnsafePipRequirement), 3u) << checked->Rendered();
}

TEST(PipBootstrap, OrdinaryRequirementsAccepted) {
  auto checked = CheckSource(PythonComponent(
      "  packages = [\"numpy==1.26.4\", \"pandas[excel,parquet]>=2.1,<3\", \"torch==2.3.0+cpu\",\n"
      "              \"scipy~=1.11.*\", \"tomli; python_version < \\\"3.11\\\"\",\n"
      "              \"pkg @ https://example.invalid/pkg-1.0.tar.gz#sha256=ab12\"]\n"
      "  pip_index_urls = [\"https://pypi.org/simple\", \"http://user@10.0.0.1:8080/simple\"]\n"
      "  pip_trusted_hosts = [\"10.0.0.1:8080\"]\n"));
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
}

TEST(NulCharacter, EscapeInImportPathRejected) {
  auto checked = CheckFiles("/project/main.kf",
                            {{"/project/main.kf", "import \"ok.kf\\u{0}garbage\"\n"},
                             {"/project/ok.kf", "component c() {\n  image = \"a:1\"\n}\n"}});
  EXPECT_EQ(checked->Count(diag::Kind::kInvalidEscape), 1u) << checked->Rendered();
  EXPECT_TRUE(checked->sink.has_errors());
}

TEST(NulCharacter, EscapeAndRawByteInArgumentRejected) {
  auto escaped = CheckSource(EchoPipeline(R"("a\u{0}b")"));
  EXPECT_EQ(escaped->Count(diag::Kind::kInvalidEscape), 1u) << escaped->Rendered();
  auto raw = CheckSource(EchoPipeline(std::string("\"a\0b\"", 5)));
  EXPECT_EQ(raw->Count(diag::Kind::kInvalidCharacter), 1u) << raw->Rendered();
  EXPECT_NE(raw->Rendered().find("a string cannot contain a NUL byte"), std::string::npos)
      << raw->Rendered();
}

TEST(BidiControl, InStringAndCommentWarned) {
  auto checked = CheckSource("// admin \u202E check\n" + EchoPipeline("\"a\u2066b\u2069\""));
  EXPECT_EQ(checked->Count(diag::Kind::kBidiControlCharacter), 3u) << checked->Rendered();
  EXPECT_FALSE(checked->sink.has_errors()) << checked->Rendered();
  EXPECT_NE(checked->Rendered().find("write it as the escape `\\u{2066}`"), std::string::npos)
      << checked->Rendered();
}

TEST(BidiControl, EscapeNotWarned) {
  auto checked = CheckSource(EchoPipeline(R"("a\u{202E}b")"));
  EXPECT_EQ(checked->Count(diag::Kind::kBidiControlCharacter), 0u) << checked->Rendered();
}

TEST(BackendPlaceholder, JoinedByConcatRejected) {
  std::string component =
      "component echo(message: string) {\n"
      "  image = \"alpine:3.19\"\n"
      "  command = [\"echo\", concat(\"\\{\\{\", \"$.pipeline_job_name\\}\\}\"), message]\n"
      "  args = [concat(\"\\{\", \"\\{\", \"$.x\"), concat(\"\\{\\{\", \"\\$.ok\\}\\}\")]\n"
      "}\n"
      "pipeline p() {\n  echo(message = \"m\")\n}\n";
  auto checked = CheckSource(component);
  EXPECT_EQ(checked->Count(diag::Kind::kBackendPlaceholderInString), 2u) << checked->Rendered();
}

}  // namespace
}  // namespace kfpc
