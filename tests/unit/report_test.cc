// Tests of the JSON and SARIF views of diagnostics (compiler/report/) on in-memory sources, and
// of `kfpc check --format` run as a user would run it (KFPC_BINARY).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/report/json_report.h"
#include "compiler/report/report.h"
#include "compiler/report/sarif_report.h"

namespace kfpc::report {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 UTF-16 units.
constexpr std::string_view kSource =
    "pipeline p() {\r\n"
    "  x = \"\xC3\xA9\xF0\x9F\x98\x80\" nope()\n"
    "}\n";
constexpr uint32_t kNopeOffset = 31;  // `nope` on line 2

CheckedFile SampleFile() {
  CheckedFile file;
  file.path = "dir/p.kf";
  diag::FileId id = file.sources.AddFile("dir/p.kf", std::string(kSource));
  diag::DiagnosticSink sink;
  diag::Diagnostic& error =
      sink.Report(diag::Kind::kUnknownComponent, diag::Span{id, kNopeOffset, kNopeOffset + 4},
                  "unknown component `nope`");
  error.help = "declare `nope`";
  error.notes.push_back("components are looked up by name");
  error.labels.push_back({diag::Span{id, 0, 8}, "in this pipeline"});
  error.fix = diag::Fix{diag::Span{id, kNopeOffset, kNopeOffset + 4}, "echo", "call `echo`"};
  // Reported second but earlier in the file: the views sort by position.
  sink.Report(diag::Kind::kArchitectureSuffixedTag, diag::Span{id, 9, 10}, "first");
  file.diagnostics = sink.diagnostics();
  return file;
}

SarifOptions Options() { return {"9.9.9", "/repo", "/repo/sub"}; }

TEST(RegionOf, CountsBytesAndUtf16Units) {
  CheckedFile file = SampleFile();
  SourceRegion region = RegionOf(file.sources, diag::Span{0, kNopeOffset, kNopeOffset + 4});
  EXPECT_EQ(region.start.line, 2u);
  EXPECT_EQ(region.start.byte_column, 16u);
  EXPECT_EQ(region.start.utf16_column, 13u);
  EXPECT_EQ(region.start.offset, kNopeOffset);
  EXPECT_EQ(region.end.line, 2u);
  EXPECT_EQ(region.end.byte_column, 20u);
  EXPECT_EQ(region.end.utf16_column, 17u);
}

TEST(RegionOf, HandlesLineEndsAndClamping) {
  CheckedFile file = SampleFile();
  // The "\r" before "\n" on line 1 is a column of its own; the "\n" after it is the next.
  EXPECT_EQ(RegionOf(file.sources, diag::Span{0, 14, 14}).start.utf16_column, 15u);
  EXPECT_EQ(RegionOf(file.sources, diag::Span{0, 15, 15}).start.utf16_column, 16u);
  // Inside the 4-byte character: the UTF-16 column is the character's start.
  SourcePoint inside = RegionOf(file.sources, diag::Span{0, 26, 26}).start;
  EXPECT_EQ(inside.byte_column, 11u);
  EXPECT_EQ(inside.utf16_column, 9u);
  SourcePoint past_end = RegionOf(file.sources, diag::Span{0, 500, 400}).end;
  EXPECT_EQ(past_end.offset, kSource.size());
  EXPECT_EQ(past_end.line, 4u);
  EXPECT_EQ(past_end.utf16_column, 1u);
}

TEST(Failures, WarningsFailOnlyUnderWerror) {
  CheckedFile warning_only = SampleFile();
  warning_only.diagnostics.erase(warning_only.diagnostics.begin());
  EXPECT_FALSE(HasFailures({warning_only}, false));
  EXPECT_TRUE(HasFailures({warning_only}, true));
  EXPECT_TRUE(HasFailures({SampleFile()}, false));
  EXPECT_FALSE(HasUnlocated({SampleFile()}));
  CheckedFile unreadable;
  diag::DiagnosticSink sink;
  sink.Report(diag::Kind::kReadFailed, diag::Span{}, "failed to read");
  unreadable.diagnostics = sink.diagnostics();
  EXPECT_TRUE(HasUnlocated({SampleFile(), unreadable}));
}

TEST(JsonReport, ContainsEveryField) {
  Json report = JsonReport({SampleFile()});
  EXPECT_EQ(report["formatVersion"], 1);
  EXPECT_EQ(report["errorCount"], 1);
  EXPECT_EQ(report["warningCount"], 1);
  ASSERT_EQ(report["diagnostics"].size(), 2u);
  EXPECT_EQ(report["diagnostics"][0]["code"], "W0777");
  const Json& error = report["diagnostics"][1];
  EXPECT_EQ(error["file"], "dir/p.kf");
  EXPECT_EQ(error["code"], "E0204");
  EXPECT_EQ(error["name"], "UnknownComponent");
  EXPECT_EQ(error["severity"], "error");
  EXPECT_EQ(error["message"], "unknown component `nope`");
  EXPECT_EQ(error["help"], "declare `nope`");
  EXPECT_EQ(error["notes"], Json::array({"components are looked up by name"}));
  EXPECT_EQ(error["location"]["start"],
            Json({{"line", 2}, {"byteColumn", 16}, {"utf16Column", 13}, {"offset", 31}}));
  EXPECT_EQ(error["location"]["end"]["utf16Column"], 17);
  EXPECT_EQ(error["labels"][0]["message"], "in this pipeline");
  EXPECT_EQ(error["labels"][0]["location"]["end"]["byteColumn"], 9);
  EXPECT_EQ(error["fix"]["replacement"], "echo");
  EXPECT_EQ(error["fix"]["title"], "call `echo`");
  EXPECT_EQ(error["fix"]["location"]["start"]["offset"], 31);
}

TEST(SarifReport, ListsEveryKindAsRule) {
  Json log = SarifReport({}, Options());
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  const Json& driver = log["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "kfpc");
  EXPECT_EQ(driver["version"], "9.9.9");
  ASSERT_EQ(driver["rules"].size(), diag::AllKinds().size());
  for (diag::Kind kind : diag::AllKinds()) {
    const Json& rule = driver["rules"][static_cast<size_t>(kind)];
    EXPECT_EQ(rule["id"], diag::Info(kind).code);
    EXPECT_EQ(rule["name"], diag::Info(kind).name);
  }
  EXPECT_EQ(driver["rules"][1]["shortDescription"]["text"], "Unterminated string");
  EXPECT_EQ(log["runs"][0]["results"], Json::array());
  EXPECT_EQ(log["runs"][0]["invocations"][0]["executionSuccessful"], true);
  EXPECT_EQ(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///repo/");
}

TEST(SarifReport, ResultHasRegionRelatedLocationAndFix) {
  Json results = SarifReport({SampleFile()}, Options())["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["level"], "warning");
  const Json& result = results[1];
  EXPECT_EQ(result["ruleId"], "E0204");
  EXPECT_EQ(result["ruleIndex"], static_cast<size_t>(diag::Kind::kUnknownComponent));
  EXPECT_EQ(result["level"], "error");
  EXPECT_EQ(result["message"]["text"],
            "unknown component `nope`\nnote: components are looked up by name\n"
            "help: declare `nope`");
  const Json& location = result["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"],
            Json({{"uri", "sub/dir/p.kf"}, {"uriBaseId", "%SRCROOT%"}}));
  EXPECT_EQ(location["region"], Json({{"startLine", 2},
                                      {"startColumn", 13},
                                      {"endLine", 2},
                                      {"endColumn", 17},
                                      {"byteOffset", 31},
                                      {"byteLength", 4}}));
  EXPECT_EQ(result["relatedLocations"][0]["message"]["text"], "in this pipeline");
  EXPECT_EQ(result["relatedLocations"][0]["physicalLocation"]["region"]["endColumn"], 9);
  const Json& change = result["fixes"][0]["artifactChanges"][0];
  EXPECT_EQ(result["fixes"][0]["description"]["text"], "call `echo`");
  EXPECT_EQ(change["artifactLocation"]["uri"], "sub/dir/p.kf");
  EXPECT_EQ(change["replacements"][0]["deletedRegion"]["startColumn"], 13);
  EXPECT_EQ(change["replacements"][0]["insertedContent"]["text"], "echo");
}

TEST(SarifReport, UnreadablePathIsNotification) {
  CheckedFile unreadable;
  unreadable.path = "../missing file.kf";
  diag::DiagnosticSink sink;
  sink.Report(diag::Kind::kReadFailed, diag::Span{}, "failed to read");
  unreadable.diagnostics = sink.diagnostics();
  Json log = SarifReport({unreadable}, Options());
  const Json& run = log["runs"][0];
  EXPECT_EQ(run["results"], Json::array());
  const Json& invocation = run["invocations"][0];
  EXPECT_EQ(invocation["executionSuccessful"], false);
  const Json& notification = invocation["toolExecutionNotifications"][0];
  EXPECT_EQ(notification["associatedRule"]["id"], "E0900");
  EXPECT_EQ(notification["message"]["text"], "failed to read");
  EXPECT_EQ(notification["locations"][0]["physicalLocation"]["artifactLocation"],
            Json({{"uri", "missing%20file.kf"}, {"uriBaseId", "%SRCROOT%"}}));
}

TEST(SarifReport, FileOutsideRootGetsAbsoluteUri) {
  CheckedFile file = SampleFile();
  SarifOptions options{"1", "/repo/sub/dir/deeper", "/repo/sub"};
  Json result = SarifReport({file}, options)["runs"][0]["results"][1];
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"],
            Json({{"uri", "file:///repo/sub/dir/p.kf"}}));
}

TEST(EncodeUriPath, EscapesReservedBytes) {
  EXPECT_EQ(EncodeUriPath("a b/c%d#e/\xC3\xA9.kf"), "a%20b/c%25d%23e/%C3%A9.kf");
  EXPECT_EQ(EncodeUriPath("Az09-._~/x"), "Az09-._~/x");
}

// `kfpc check` run in a fresh directory, as a user would run it.
class CheckCommandTest : public ::testing::Test {
 protected:
  struct Outcome {
    int status = -1;
    std::string out;
    std::string err;
  };

  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "kfpc-report-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::canonical(pattern);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void Write(const fs::path& relative, std::string_view contents) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative, std::ios::binary) << contents;
  }

  // Runs `kfpc check ARGS` in dir_/subdir; ARGS goes through the shell.
  Outcome Check(const std::string& args, const std::string& subdir = ".") {
    fs::path out = dir_ / ".stdout";
    fs::path err = dir_ / ".stderr";
    std::string command = "cd '" + (dir_ / subdir).string() + "' && '" KFPC_BINARY "' check " +
                          args + " >'" + out.string() + "' 2>'" + err.string() + "'";
    int raw = std::system(command.c_str());
    Outcome outcome{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, Read(out), Read(err)};
    fs::remove(out);
    fs::remove(err);
    return outcome;
  }

  fs::path dir_;
};

constexpr std::string_view kBroken =
    "pipeline broken() {\n"
    "  missing_component()\n"
    "}\n";
constexpr std::string_view kClean =
    "component echo() {\n"
    "  image = \"alpine:3.19\"\n"
    "}\n";

TEST_F(CheckCommandTest, JsonListsDiagnosticsOnStdout) {
  Write("broken.kf", kBroken);
  Write("clean.kf", kClean);
  Outcome run = Check("--format json broken.kf clean.kf");
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_EQ(run.err, "");
  Json report = Json::parse(run.out);
  EXPECT_EQ(report["files"], Json::array({"broken.kf", "clean.kf"}));
  EXPECT_EQ(report["errorCount"], 1);
  ASSERT_EQ(report["diagnostics"].size(), 1u);
  const Json& diagnostic = report["diagnostics"][0];
  EXPECT_EQ(diagnostic["file"], "broken.kf");
  EXPECT_EQ(diagnostic["code"], "E0204");
  EXPECT_EQ(diagnostic["location"]["start"]["line"], 2);
  EXPECT_EQ(diagnostic["location"]["start"]["byteColumn"], 3);
  EXPECT_FALSE(diagnostic["help"].get<std::string>().empty());
}

TEST_F(CheckCommandTest, TextFormatMatchesDefault) {
  Write("broken.kf", kBroken);
  Outcome plain = Check("broken.kf");
  Outcome text = Check("--format text broken.kf");
  EXPECT_EQ(text.status, 1);
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(text.err, plain.err);
  EXPECT_EQ(text.err.rfind("broken.kf:2:3: error: ", 0), 0u) << text.err;
}

TEST_F(CheckCommandTest, CleanFilesExitZero) {
  Write("clean.kf", kClean);
  Outcome run = Check("--format sarif --werror clean.kf");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(Json::parse(run.out)["runs"][0]["results"], Json::array());
}

TEST_F(CheckCommandTest, OutputFileReceivesReport) {
  Write("broken.kf", kBroken);
  Outcome run = Check("--format sarif -o out/report.sarif broken.kf");
  EXPECT_EQ(run.status, 2);  // out/ does not exist
  EXPECT_NE(run.err.find("failed to write `out/report.sarif`"), std::string::npos) << run.err;
  fs::create_directory(dir_ / "out");
  run = Check("--format sarif -o out/report.sarif broken.kf");
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_EQ(run.out, "");
  Json log = Json::parse(Read(dir_ / "out/report.sarif"));
  EXPECT_EQ(log["runs"][0]["results"][0]["ruleId"], "E0204");
}

TEST_F(CheckCommandTest, MissingFileIsIoError) {
  Outcome run = Check("--format json missing.kf");
  EXPECT_EQ(run.status, 2);
  Json diagnostic = Json::parse(run.out)["diagnostics"][0];
  EXPECT_EQ(diagnostic["file"], "missing.kf");
  EXPECT_EQ(diagnostic["code"], "E0900");
  EXPECT_TRUE(diagnostic["location"].is_null());
}

TEST_F(CheckCommandTest, InvalidFormatIsUsageError) {
  Outcome run = Check("--format xml x.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err.rfind("kfpc: error: invalid format `xml`; expected `text`, `json` or "
                          "`sarif`\n", 0),
            0u)
      << run.err;
}

TEST_F(CheckCommandTest, SarifUrisAreRelativeToGitRoot) {
  fs::create_directories(dir_ / "repo/.git");
  Write("repo/pipelines/broken.kf", kBroken);
  Outcome run = Check("--format sarif broken.kf", "repo/pipelines");
  EXPECT_EQ(run.status, 1) << run.err;
  Json run_log = Json::parse(run.out)["runs"][0];
  EXPECT_EQ(run_log["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "pipelines/broken.kf");
  EXPECT_EQ(run_log["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file://" + (dir_ / "repo").string() + "/");

  run = Check("--format sarif --sarif-root .. broken.kf", "repo/pipelines");
  run_log = Json::parse(run.out)["runs"][0];
  EXPECT_EQ(run_log["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "pipelines/broken.kf");
  run = Check("--format sarif --sarif-root . broken.kf", "repo/pipelines");
  run_log = Json::parse(run.out)["runs"][0];
  EXPECT_EQ(run_log["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "broken.kf");
}

}  // namespace
}  // namespace kfpc::report
