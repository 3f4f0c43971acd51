#include "compiler/format/format.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/lsp/formatting.h"
#include "compiler/parse/parse.h"

namespace kfpc::format {
namespace {

namespace fs = std::filesystem;

// The result of formatting `text`: the output, or nullopt and the rendered errors.
struct Formatted {
  std::optional<std::string> text;
  std::string errors;
};

Formatted FormatText(const std::string& text) {
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile("t.kf", text);
  diag::DiagnosticSink sink;
  Formatted result;
  result.text = Format(sources, file, sink);
  // Warnings, such as one for a bidirectional control character, do not stop formatting.
  std::vector<diag::Diagnostic> errors;
  for (const diag::Diagnostic& d : sink.diagnostics()) {
    if (d.severity == diag::Severity::kError) errors.push_back(d);
  }
  result.errors = diag::RenderAll(sources, errors);
  return result;
}

// Formats text that must be free of syntax errors.
std::string FormatValid(const std::string& text) {
  Formatted result = FormatText(text);
  EXPECT_EQ(result.errors, "");
  return result.text.value_or("<syntax errors>");
}

// ---------------------------------------------------------------------------------------------
// A dump of the syntax tree without spans, so that two trees can be compared for meaning.
// ---------------------------------------------------------------------------------------------

void Dump(const ast::Expr* expr, std::ostream& out);

void Dump(const ast::TypeRef& type, std::ostream& out) {
  out << type.name << (type.optional ? "?" : "") << "<";
  for (const ast::TypeRef& arg : type.args) Dump(arg, out);
  out << ">";
}

void Dump(const ast::Expr* expr, std::ostream& out) {
  if (expr == nullptr) {
    out << "null";
    return;
  }
  out << "(" << static_cast<int>(expr->kind) << " text=[" << expr->text << "] literal=["
      << expr->literal << "] " << expr->int_value << " " << expr->float_value << " "
      << expr->bool_value << " parts=";
  for (const ast::StringPart& part : expr->parts) {
    out << "{" << part.is_interpolation << part.text << "}";
  }
  for (const ast::ExprPtr& key : expr->keys) Dump(key.get(), out);
  for (const ast::ExprPtr& item : expr->items) Dump(item.get(), out);
  for (const ast::Argument& arg : expr->args) {
    out << arg.name << "=";
    Dump(arg.value.get(), out);
  }
  if (expr->object) Dump(expr->object.get(), out);
  if (expr->rhs) Dump(expr->rhs.get(), out);
  out << ")";
}

void Dump(const std::vector<ast::Setting>& settings, std::ostream& out) {
  for (const ast::Setting& setting : settings) {
    out << "setting " << static_cast<int>(setting.form) << " " << setting.name << " ";
    Dump(setting.value.get(), out);
    out << " {";
    Dump(setting.children, out);
    out << "}\n";
  }
}

void Dump(const std::vector<ast::Stmt>& body, std::ostream& out) {
  for (const ast::Stmt& stmt : body) {
    out << "stmt " << static_cast<int>(stmt.kind) << " " << stmt.output_name << " "
        << stmt.loop_variable << " ";
    const ast::TaskCall& task = stmt.task;
    out << task.binding << "=" << task.callee << " block=" << task.has_block << " (";
    for (const ast::Argument& arg : task.args) {
      out << arg.name << "=";
      Dump(arg.value.get(), out);
    }
    out << ") {";
    Dump(task.settings, out);
    out << "} ";
    out << stmt.setting.name << " " << static_cast<int>(stmt.setting.form);
    Dump(stmt.setting.value.get(), out);
    Dump(stmt.setting.children, out);
    Dump(stmt.value.get(), out);
    Dump(stmt.parallelism.get(), out);
    for (const ast::Branch& branch : stmt.branches) {
      out << " branch ";
      Dump(branch.condition.get(), out);
      out << " {\n";
      Dump(branch.body, out);
      out << "}";
    }
    out << " body {\n";
    Dump(stmt.body, out);
    out << "} finally {\n";
    Dump(stmt.finally_body, out);
    out << "}\n";
  }
}

void Dump(const std::vector<ast::Param>& params, std::ostream& out) {
  for (const ast::Param& param : params) {
    out << param.name << ": ";
    Dump(param.type, out);
    out << " = ";
    Dump(param.default_value.get(), out);
    out << " doc=[" << param.doc << "]\n";
  }
}

std::string Dump(const ast::File& file) {
  std::ostringstream out;
  for (const ast::Decl& decl : file.decls) {
    out << "decl " << static_cast<int>(decl.kind) << " " << decl.name << " doc=[" << decl.doc
        << "] import=[" << decl.import_path << "] single=" << decl.single_output << "\n";
    Dump(decl.inputs, out);
    out << "->\n";
    Dump(decl.outputs, out);
    Dump(decl.settings, out);
    Dump(decl.body, out);
  }
  return out.str();
}

// Parses `text`; `errors` is set to whether it has syntax errors.
std::string DumpParsed(const std::string& text, bool* errors) {
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile("t.kf", text);
  diag::DiagnosticSink sink;
  ast::File tree = parse::Parse(sources, file, sink);
  *errors = sink.has_errors();
  return Dump(tree);
}

// Every .kf file of the repository, outside build directories.
std::vector<fs::path> RepositoryKfFiles() {
  std::vector<fs::path> files;
  fs::path root = KFPC_SOURCE_DIR;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && (name.starts_with("build") || name.starts_with("."))) {
      it.disable_recursion_pending();
    } else if (it->is_regular_file() && it->path().extension() == ".kf") {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

TEST(FormatLayout, SettingsOnePerLineWithSingleSpaces) {
  EXPECT_EQ(FormatValid("component  echo( message :string ){image   = \"alpine:3.19\"\n"
                        "  command=[\"echo\",message]  retry { max = 3  backoff = \"30s\" }}"),
            "component echo(message: string) {\n"
            "  image = \"alpine:3.19\"\n"
            "  command = [\"echo\", message]\n"
            "  retry {\n"
            "    max = 3\n"
            "    backoff = \"30s\"\n"
            "  }\n"
            "}\n");
}

TEST(FormatLayout, ShortArgumentListJoined) {
  EXPECT_EQ(FormatValid("pipeline p() {\n  t = echo(\n    message = \"hi\",\n  )\n}\n"),
            "pipeline p() {\n  t = echo(message = \"hi\")\n}\n");
}

TEST(FormatLayout, LongArgumentListBrokenWithTrailingComma) {
  std::string call = "  trained = train_cnn(data_uri = data.data_uri, epochs = epochs, "
                     "learning_rate = learning_rate, batch_size = batch_size) {\n"
                     "    cpu_limit = \"8\"\n  }\n";
  EXPECT_EQ(FormatValid("pipeline p() {\n" + call + "}\n"),
            "pipeline p() {\n"
            "  trained = train_cnn(\n"
            "    data_uri = data.data_uri,\n"
            "    epochs = epochs,\n"
            "    learning_rate = learning_rate,\n"
            "    batch_size = batch_size,\n"
            "  ) {\n"
            "    cpu_limit = \"8\"\n"
            "  }\n"
            "}\n");
}

TEST(FormatLayout, BlankLinesCollapsedToOne) {
  EXPECT_EQ(FormatValid("\n\nimport \"a.kf\"\n\n\n\nimport \"b.kf\"\nimport \"c.kf\"\n\n\n"),
            "import \"a.kf\"\n\nimport \"b.kf\"\nimport \"c.kf\"\n");
}

TEST(FormatLayout, LineEndsGiveSameLayout) {
  // The same text with LF, CR LF and lone CR line ends: blank lines and comments on lines of
  // their own stay, and the output has LF line ends.
  const std::string source =
      "// header\n\nimport \"a.kf\"\n\n\n// lead\nimport \"b.kf\" // trailing\n\nimport \"c.kf\"\n";
  const std::string expected =
      "// header\n\nimport \"a.kf\"\n\n// lead\nimport \"b.kf\" // trailing\n\nimport \"c.kf\"\n";
  for (const std::string line_end : {"\n", "\r\n", "\r"}) {
    std::string text;
    for (char c : source) text += c == '\n' ? line_end : std::string(1, c);
    EXPECT_EQ(FormatValid(text), expected) << line_end.size();
  }
}

TEST(FormatLayout, ControlFlow) {
  EXPECT_EQ(FormatValid("pipeline p(n: int) {\n"
                        "if n>1 {a()} else if not n==2 {b()}\n"
                        "else { c() }\n"
                        "for x in [1,2] parallelism=2 { d(v=x) }\n"
                        "try { e() } finally { f() }\n"
                        "return out = -n\n"
                        "}\n"),
            "pipeline p(n: int) {\n"
            "  if n > 1 {\n    a()\n  } else if not n == 2 {\n    b()\n  } else {\n    c()\n  }\n"
            "  for x in [1, 2] parallelism = 2 {\n    d(v = x)\n  }\n"
            "  try {\n    e()\n  } finally {\n    f()\n  }\n"
            "  return out = -n\n"
            "}\n");
}

TEST(FormatLayout, ParenthesesKeptWhereNeeded) {
  EXPECT_EQ(FormatValid("pipeline p(a: bool, b: bool) {\n"
                        "  if (a or b) and not (a and b) { t() }\n"
                        "  if ((a)) { t() }\n"
                        "}\n"),
            "pipeline p(a: bool, b: bool) {\n"
            "  if (a or b) and not (a and b) {\n    t()\n  }\n"
            "  if a {\n    t()\n  }\n"
            "}\n");
}

TEST(FormatLayout, NegatedNumberStaysAnOperator) {
  std::string once = FormatValid("component c() { v = - 1  w = -1 }\n");
  EXPECT_EQ(once, "component c() {\n  v = - 1\n  w = -1\n}\n");
}

TEST(FormatLayout, SignatureWithOutputs) {
  EXPECT_EQ(FormatValid("component c(a:list< string >?,b:dict<string,int> = {\"k\":1})->"
                        "(x:Dataset,y:int){ image=\"i\" }\n"
                        "component d() -> Model { image = \"i\" }\n"),
            "component c(a: list<string>?, b: dict<string, int> = {\"k\": 1}) -> "
            "(x: Dataset, y: int) {\n  image = \"i\"\n}\n"
            "component d() -> Model {\n  image = \"i\"\n}\n");
}

// ---------------------------------------------------------------------------------------------
// Comments and literals
// ---------------------------------------------------------------------------------------------

TEST(FormatComments, KeptInPlace) {
  EXPECT_EQ(FormatValid("// File header.\n\n"
                        "/// Doc of c.\n"
                        "component c(\n"
                        "  /// Doc of a.\n"
                        "  a: int,  // trailing on a\n"
                        ") {  // after the brace\n"
                        "  image   = \"i\"   // trailing\n"
                        "  // before command\n"
                        "  command = [\n"
                        "    \"x\", // first\n"
                        "    // before y\n"
                        "    \"y\"\n"
                        "  ]\n"
                        "  // at the end of the block\n"
                        "}\n"
                        "// at the end of the file\n"),
            "// File header.\n\n"
            "/// Doc of c.\n"
            "component c(\n"
            "  /// Doc of a.\n"
            "  a: int, // trailing on a\n"
            ") { // after the brace\n"
            "  image = \"i\" // trailing\n"
            "  // before command\n"
            "  command = [\n"
            "    \"x\", // first\n"
            "    // before y\n"
            "    \"y\",\n"
            "  ]\n"
            "  // at the end of the block\n"
            "}\n"
            "// at the end of the file\n");
}

TEST(FormatComments, CommentInsideEmptyBlock) {
  EXPECT_EQ(FormatValid("pipeline p() {\n  // nothing yet\n}\n"),
            "pipeline p() {\n  // nothing yet\n}\n");
  EXPECT_EQ(FormatValid("pipeline p() {}\n"), "pipeline p() {}\n");
}

TEST(FormatLiterals, StringsWrittenAsInTheSource) {
  std::string source = "component c() {\n"
                       "  a = \"tab\\t \\\"quoted\\\" \\u{e9} {x.y}\"\n"
                       "  b = \"\"\"\n  raw   text\n\\n  \"\"\"\n"
                       "  c = #\"\"\"doc \"\"\" inside\"\"\"#\n"
                       "  d = 1e-3\n"
                       "}\n";
  EXPECT_EQ(FormatValid(source), source);
}

// ---------------------------------------------------------------------------------------------
// Syntax errors
// ---------------------------------------------------------------------------------------------

TEST(FormatErrors, SyntaxErrorRejected) {
  Formatted result = FormatText("component c( {\n");
  EXPECT_FALSE(result.text.has_value());
  EXPECT_NE(result.errors.find("t.kf:1:"), std::string::npos) << result.errors;
  EXPECT_NE(result.errors.find("error"), std::string::npos) << result.errors;
}

// A `///` comment between a component's name and `(` documents nothing. The printer put it after
// the `(`, where it documented the first input and changed the component's description in the
// IR. Formatting now checks that its output parses to the same tree, and refuses otherwise.
TEST(FormatErrors, ChangeOfMeaningRefused) {
  Formatted result = FormatText(
      "component c\n/// between name and paren\n(\n/// B\n  x: string\n) {\n"
      "  image = \"alpine\"\n  command = [\"echo\", x]\n}\n");
  EXPECT_FALSE(result.text.has_value());
  // At the input whose description the moved comment would change.
  EXPECT_NE(result.errors.find("t.kf:5:3: error: formatting this file would change what it "
                               "means, so it is left as it is"),
            std::string::npos)
      << result.errors;
}

// A component whose default is a list nested `depth` deep around `items` strings.
std::string NestedListDefault(size_t depth, int items) {
  std::string list;
  for (int i = 0; i < items; ++i) list += (i > 0 ? ", \"v" : "\"v") + std::to_string(i) + "\"";
  return "component d(a: list = " + std::string(depth, '[') + list + std::string(depth, ']') +
         ") {\n  image = \"alpine\"\n}\n";
}

TEST(FormatErrors, OutputOverTheFileLimitRefused) {
  // Each of the 35,000 items goes on its own line, indented 240 spaces deep in the lists.
  Formatted result = FormatText(NestedListDefault(120, 35000));
  EXPECT_FALSE(result.text.has_value());
  EXPECT_NE(result.errors.find("t.kf:1:1: error: formatted, this file would be "),
            std::string::npos)
      << result.errors.substr(0, 500);
  EXPECT_NE(result.errors.find("bytes, more than the limit of 8 MiB for a source file"),
            std::string::npos)
      << result.errors.substr(0, 500);
}

TEST(FormatErrors, DeepTextRefusedBeforePrinting) {
  // 200 levels around 0.8 MB of items: the printer would render that text once per level.
  Formatted result = FormatText(NestedListDefault(200, 100000));
  EXPECT_FALSE(result.text.has_value());
  EXPECT_NE(result.errors.find("t.kf:1:1: error: this file nests too much text too deeply to "
                               "format"),
            std::string::npos)
      << result.errors.substr(0, 500);
}

TEST(FormatErrors, MovedDocCommentRefusedAtItsInput) {
  // The `///` after `=` documents nothing where it is; formatted, it would document `z`, so the
  // file is refused at `z`.
  Formatted result = FormatText(
      "component a(\n"
      "  x: string,\n"
      "  y: int = /// doc default\n"
      "    1,\n"
      "  z: string,\n"
      ") {\n"
      "  image = \"alpine\"\n"
      "}\n");
  EXPECT_FALSE(result.text.has_value());
  EXPECT_NE(result.errors.find("t.kf:5:3: error: formatting this file would change what it "
                               "means, so it is left as it is\n"
                               "5 |   z: string,\n"),
            std::string::npos)
      << result.errors;
}

// ---------------------------------------------------------------------------------------------
// Every .kf file of the repository
// ---------------------------------------------------------------------------------------------

TEST(FormatRepository, FindsFiles) {
  EXPECT_GT(RepositoryKfFiles().size(), 100u);
}

TEST(FormatRepository, KeepsTreeAndIsIdempotent) {
  for (const fs::path& path : RepositoryKfFiles()) {
    SCOPED_TRACE(path.string());
    std::string source = ReadFile(path);
    bool errors = false;
    std::string tree = DumpParsed(source, &errors);
    Formatted once = FormatText(source);
    if (errors) {
      EXPECT_FALSE(once.text.has_value());
      EXPECT_NE(once.errors, "");
      continue;
    }
    ASSERT_TRUE(once.text.has_value()) << once.errors;
    bool reformatted_errors = false;
    EXPECT_EQ(DumpParsed(*once.text, &reformatted_errors), tree);
    EXPECT_FALSE(reformatted_errors);
    EXPECT_EQ(FormatValid(*once.text), *once.text);
  }
}

// Fails when a .kf file in the repository is not in the canonical layout: run
// `kfpc fmt FILE` on the files it names.
TEST(FormatRepository, FilesAreFormatted) {
  for (const fs::path& path : RepositoryKfFiles()) {
    std::string source = ReadFile(path);
    Formatted formatted = FormatText(source);
    if (!formatted.text) continue;  // syntax error cases of tests/diagnostics
    EXPECT_TRUE(*formatted.text == source) << path.string() << " is not formatted";
  }
}

// ---------------------------------------------------------------------------------------------
// The language server's textDocument/formatting
// ---------------------------------------------------------------------------------------------

TEST(FormatLsp, EditReplacesWholeDocument) {
  std::string text = "artifact A {}\ncomponent c() { image=\"\u00e9\" }";
  nlohmann::json edits = lsp::FormattingEdits("/t.kf", text, lsp::PositionEncoding::kUtf16);
  ASSERT_TRUE(edits.is_array());
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0]["newText"], "artifact A {}\ncomponent c() {\n  image = \"\u00e9\"\n}\n");
  EXPECT_EQ(edits[0]["range"]["start"], (nlohmann::json{{"line", 0}, {"character", 0}}));
  // The last line is 28 bytes but 27 UTF-16 code units long, because `é` takes two bytes.
  EXPECT_EQ(edits[0]["range"]["end"], (nlohmann::json{{"line", 1}, {"character", 27}}));
}

TEST(FormatLsp, FormattedDocumentNeedsNoEdit) {
  nlohmann::json edits = lsp::FormattingEdits("/t.kf", "artifact A {}\n",
                                              lsp::PositionEncoding::kUtf16);
  EXPECT_EQ(edits, nlohmann::json::array());
}

TEST(FormatLsp, SyntaxErrorGivesNull) {
  nlohmann::json edits = lsp::FormattingEdits("/t.kf", "component c( {\n",
                                              lsp::PositionEncoding::kUtf16);
  EXPECT_TRUE(edits.is_null());
}

// ---------------------------------------------------------------------------------------------
// `kfpc fmt` and `kfpc build --check`, run as a user would
// ---------------------------------------------------------------------------------------------

class FmtCommandTest : public ::testing::Test {
 protected:
  struct Outcome {
    int status = -1;
    std::string out;
    std::string err;
  };

  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "kfpc-fmt-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `kfpc ARGS` in dir_ through the shell.
  Outcome Kfpc(const std::string& args) {
    std::string command = "cd '" + dir_.string() + "' && '" KFPC_BINARY "' " + args +
                          " >.stdout 2>.stderr";
    int raw = std::system(command.c_str());
    Outcome outcome;
    outcome.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    outcome.out = ReadFile(dir_ / ".stdout");
    outcome.err = ReadFile(dir_ / ".stderr");
    fs::remove(dir_ / ".stdout");
    fs::remove(dir_ / ".stderr");
    return outcome;
  }
  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  fs::path dir_;
};

constexpr std::string_view kUnformatted = "component  c( ){image   = \"i\"}\n";
constexpr std::string_view kFormatted = "component c() {\n  image = \"i\"\n}\n";

TEST_F(FmtCommandTest, RewritesFilesInDirectories) {
  Write("a.kf", std::string(kUnformatted));
  Write("sub/b.kf", std::string(kFormatted));
  Outcome run = Kfpc("fmt .");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(ReadFile(dir_ / "a.kf"), kFormatted);
  EXPECT_EQ(ReadFile(dir_ / "sub/b.kf"), kFormatted);
}

TEST_F(FmtCommandTest, DirectoryWalkSkipsLinkedFiles) {
  // tree/link.kf points outside the tree; `fmt tree` leaves the file it points to alone.
  Write("outside.kf", std::string(kUnformatted));
  Write("tree/a.kf", std::string(kUnformatted));
  fs::create_symlink(dir_ / "outside.kf", dir_ / "tree/link.kf");
  Outcome run = Kfpc("fmt tree");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(ReadFile(dir_ / "tree/a.kf"), kFormatted);
  EXPECT_EQ(ReadFile(dir_ / "outside.kf"), kUnformatted);
}

TEST_F(FmtCommandTest, RewriteKeepsPermissionBits) {
  Write("a.kf", std::string(kUnformatted));
  fs::permissions(dir_ / "a.kf", fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(Kfpc("fmt a.kf").status, 0);
  EXPECT_EQ(ReadFile(dir_ / "a.kf"), kFormatted);
  EXPECT_EQ(fs::status(dir_ / "a.kf").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(FmtCommandTest, CheckListsUnformattedWithoutWriting) {
  Write("a.kf", std::string(kUnformatted));
  Write("b.kf", std::string(kFormatted));
  Outcome run = Kfpc("fmt --check a.kf b.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "a.kf\n");
  EXPECT_EQ(ReadFile(dir_ / "a.kf"), kUnformatted);
  EXPECT_EQ(Kfpc("fmt --check b.kf").status, 0);
}

TEST_F(FmtCommandTest, StdinToStdout) {
  Write("in.kf", std::string(kUnformatted));
  Outcome run = Kfpc("fmt - <in.kf");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, kFormatted);
  EXPECT_EQ(Kfpc("fmt --check - <in.kf").status, 1);
}

TEST_F(FmtCommandTest, SyntaxErrorLeavesFileUntouched) {
  Write("bad.kf", "component c( {\n");
  Outcome run = Kfpc("fmt bad.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("bad.kf:1:14: error:"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(dir_ / "bad.kf"), "component c( {\n");
}

TEST_F(FmtCommandTest, MissingArgumentIsUsageError) {
  Outcome run = Kfpc("fmt");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("missing input file or directory"), std::string::npos) << run.err;
}

TEST_F(FmtCommandTest, BuildCheckComparesOutput) {
  Write("hello.kf", "component echo() {\n  image = \"alpine\"\n}\n\n"
                    "pipeline hello() {\n  echo()\n}\n");
  Outcome missing = Kfpc("build hello.kf -o hello.yaml --check");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("error: `hello.yaml` is missing"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ / "hello.yaml"));

  ASSERT_EQ(Kfpc("build hello.kf -o hello.yaml").status, 0);
  Outcome current = Kfpc("build hello.kf -o hello.yaml --check");
  EXPECT_EQ(current.status, 0) << current.err;
  EXPECT_EQ(current.err, "");

  std::string yaml = ReadFile(dir_ / "hello.yaml");
  Write("hello.yaml", yaml + "# edited\n");
  Outcome stale = Kfpc("build hello.kf -o hello.yaml --check");
  EXPECT_EQ(stale.status, 1);
  EXPECT_NE(stale.err.find("error: `hello.yaml` is out of date"), std::string::npos) << stale.err;
  EXPECT_NE(stale.err.find("help: run `kfpc build hello.kf -o hello.yaml` to update it"),
            std::string::npos)
      << stale.err;
  EXPECT_EQ(ReadFile(dir_ / "hello.yaml"), yaml + "# edited\n");

  // The help repeats the options, quoted for the shell where needed.
  Outcome quoted = Kfpc("build hello.kf -o \"it's.yaml\" --check --kfp-version=2.13");
  EXPECT_NE(quoted.err.find("help: run `kfpc build hello.kf -o 'it'\\''s.yaml' "
                            "--kfp-version=2.13` to update it"),
            std::string::npos)
      << quoted.err;

  EXPECT_EQ(Kfpc("build hello.kf --check").status, 2);

  // `--check=false` builds, and `--check=true` is left out of the command the help names.
  Outcome unchecked = Kfpc("build hello.kf -o other.yaml --check=false");
  EXPECT_EQ(unchecked.status, 0) << unchecked.err;
  EXPECT_TRUE(fs::exists(dir_ / "other.yaml"));
  Outcome spelled = Kfpc("build hello.kf -o hello.yaml --check=true");
  EXPECT_NE(spelled.err.find("help: run `kfpc build hello.kf -o hello.yaml` to update it"),
            std::string::npos)
      << spelled.err;
}

}  // namespace
}  // namespace kfpc::format
