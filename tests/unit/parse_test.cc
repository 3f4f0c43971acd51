#include "compiler/parse/parse.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "compiler/diagnostics/utf8.h"

namespace kfpc::parse {
namespace {

using ast::ExprKind;
using ast::StmtKind;

// One parsed source: the tree, and every diagnostic rendered as the driver prints it.
struct Parsed {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  ast::File file;

  std::string Errors() const { return diag::RenderAll(sources, sink.diagnostics()); }
  // The source text of `span`.
  std::string Text(diag::Span span) const {
    return sources.contents(span.file).substr(span.begin, span.end - span.begin);
  }
};

std::unique_ptr<Parsed> ParseText(const std::string& text) {
  auto parsed = std::make_unique<Parsed>();
  diag::FileId id = parsed->sources.AddFile("t.kf", text);
  parsed->file = Parse(parsed->sources, id, parsed->sink);
  EXPECT_EQ(parsed->file.id, id);
  return parsed;
}

// Parses text that must be free of errors.
std::unique_ptr<Parsed> ParseValid(const std::string& text) {
  auto parsed = ParseText(text);
  EXPECT_EQ(parsed->Errors(), "");
  return parsed;
}

// The value of the only setting of the only declaration of `text`, a component.
std::unique_ptr<Parsed> ParseSettingValue(const std::string& value, const ast::Expr** expr) {
  auto parsed = ParseValid("component c() { v = " + value + " }");
  *expr = nullptr;
  if (parsed->file.decls.size() == 1 && parsed->file.decls[0].settings.size() == 1) {
    *expr = parsed->file.decls[0].settings[0].value.get();
  }
  EXPECT_NE(*expr, nullptr);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------------

TEST(ParseDecl, Import) {
  auto p = ParseValid("import \"components/storage.kf\"\n");
  ASSERT_EQ(p->file.decls.size(), 1u);
  const ast::Decl& decl = p->file.decls[0];
  EXPECT_EQ(decl.kind, ast::DeclKind::kImport);
  EXPECT_EQ(decl.import_path, "components/storage.kf");
  EXPECT_EQ(p->Text(decl.import_path_span), "\"components/storage.kf\"");
  EXPECT_EQ(p->Text(decl.span), "import \"components/storage.kf\"");
}

TEST(ParseDecl, Artifact) {
  auto p = ParseValid(
      "artifact Tabular {\n"
      "  schema_title   = \"acme.TabularData\"\n"
      "  schema_version = \"0.0.2\"\n"
      "}\n");
  ASSERT_EQ(p->file.decls.size(), 1u);
  const ast::Decl& decl = p->file.decls[0];
  EXPECT_EQ(decl.kind, ast::DeclKind::kArtifact);
  EXPECT_EQ(decl.name, "Tabular");
  EXPECT_EQ(p->Text(decl.name_span), "Tabular");
  ASSERT_EQ(decl.settings.size(), 2u);
  EXPECT_EQ(decl.settings[0].name, "schema_title");
  EXPECT_EQ(decl.settings[0].value->text, "acme.TabularData");
  EXPECT_EQ(p->Text(decl.settings[1].span), "schema_version = \"0.0.2\"");
  EXPECT_EQ(p->Text(decl.span).back(), '}');
}

TEST(ParseDecl, ComponentSignature) {
  auto p = ParseValid(
      "component train(\n"
      "  dataset: Dataset,\n"
      "  epochs: int = 10,\n"
      "  tags: list<string>?,\n"
      "  extra: dict<string, list<int>> = {},\n"
      ") -> (model: Model, accuracy: float,) {\n"
      "  image = \"pytorch\"\n"
      "}\n");
  ASSERT_EQ(p->file.decls.size(), 1u);
  const ast::Decl& decl = p->file.decls[0];
  EXPECT_EQ(decl.kind, ast::DeclKind::kComponent);
  ASSERT_EQ(decl.inputs.size(), 4u);
  EXPECT_EQ(decl.inputs[0].name, "dataset");
  EXPECT_EQ(decl.inputs[0].type.name, "Dataset");
  EXPECT_EQ(decl.inputs[0].default_value, nullptr);
  EXPECT_EQ(p->Text(decl.inputs[0].span), "dataset: Dataset");
  EXPECT_EQ(decl.inputs[1].default_value->int_value, 10);

  const ast::TypeRef& tags = decl.inputs[2].type;
  EXPECT_EQ(tags.name, "list");
  EXPECT_TRUE(tags.optional);
  ASSERT_EQ(tags.args.size(), 1u);
  EXPECT_EQ(tags.args[0].name, "string");
  EXPECT_EQ(p->Text(tags.span), "list<string>?");
  EXPECT_EQ(p->Text(tags.name_span), "list");

  const ast::TypeRef& extra = decl.inputs[3].type;
  EXPECT_FALSE(extra.optional);
  ASSERT_EQ(extra.args.size(), 2u);
  EXPECT_EQ(extra.args[1].name, "list");
  EXPECT_EQ(extra.args[1].args[0].name, "int");
  EXPECT_EQ(decl.inputs[3].default_value->kind, ExprKind::kMap);

  EXPECT_FALSE(decl.single_output);
  ASSERT_EQ(decl.outputs.size(), 2u);
  EXPECT_EQ(decl.outputs[0].name, "model");
  EXPECT_EQ(decl.outputs[1].type.name, "float");
  EXPECT_EQ(p->Text(decl.outputs[1].name_span), "accuracy");
}

TEST(ParseDecl, SingleOutputIsNamedOutput) {
  auto p = ParseValid("component add(a: float, b: float) -> float { image = \"python\" }");
  const ast::Decl& decl = p->file.decls.at(0);
  EXPECT_TRUE(decl.single_output);
  ASSERT_EQ(decl.outputs.size(), 1u);
  EXPECT_EQ(decl.outputs[0].name, "Output");
  EXPECT_EQ(decl.outputs[0].type.name, "float");
  EXPECT_EQ(p->Text(decl.outputs[0].span), "float");
}

TEST(ParseDecl, EmptyParameterLists) {
  auto p = ParseValid("component c() { }\npipeline p() { }\n");
  ASSERT_EQ(p->file.decls.size(), 2u);
  EXPECT_TRUE(p->file.decls[0].inputs.empty());
  EXPECT_TRUE(p->file.decls[0].outputs.empty());
  EXPECT_TRUE(p->file.decls[1].body.empty());
}

TEST(ParseDecl, DocComments) {
  auto p = ParseText(
      "// Not a doc comment.\n"
      "/// Trains a CNN.\n"
      "///\n"
      "///   Indented.\n"
      "component train(\n"
      "  /// Training data.\n"
      "  dataset: Dataset,\n"
      "  epochs: int, /// Belongs to `rate`.\n"
      "  rate: float,\n"
      ") -> (\n"
      "  /// The model.\n"
      "  model: Model,\n"
      ") { image = \"i\" }\n"
      "/// Separated by a plain comment.\n"
      "// plain\n"
      "pipeline p() { }\n");
  ASSERT_EQ(p->file.decls.size(), 2u);
  const ast::Decl& train = p->file.decls[0];
  EXPECT_EQ(train.doc, "Trains a CNN.\n\n  Indented.");
  EXPECT_EQ(train.inputs[0].doc, "Training data.");
  EXPECT_EQ(train.inputs[1].doc, "");
  EXPECT_EQ(train.inputs[2].doc, "Belongs to `rate`.");
  EXPECT_EQ(train.outputs[0].doc, "The model.");
  EXPECT_EQ(p->file.decls[1].doc, "");
  // The comment that documents nothing is the only diagnostic.
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].kind, diag::Kind::kStrayDocComment);
  EXPECT_EQ(p->Text(p->sink.diagnostics()[0].span), "/// Separated by a plain comment.");
}

TEST(ParseDecl, FourSlashesStartAPlainComment) {
  auto p = ParseText(
      "////////////////\n"
      "/// Trains.\n"
      "component train() { image = \"i\" }\n"
      "//// Not a description.\n"
      "pipeline p() {\n"
      "  //// Not stray either.\n"
      "  t = train()\n"
      "}\n"
      "////\n");
  ASSERT_EQ(p->file.decls.size(), 2u);
  EXPECT_EQ(p->file.decls[0].doc, "Trains.");
  EXPECT_EQ(p->file.decls[1].doc, "");
  EXPECT_TRUE(p->sink.diagnostics().empty());
}

TEST(ParseDecl, DocCommentDropsTrailingSpace) {
  auto p = ParseText("/// Trains. \t\n///  \ncomponent c() { image = \"i\" }\n");
  ASSERT_EQ(p->file.decls.size(), 1u);
  EXPECT_EQ(p->file.decls[0].doc, "Trains.\n");
}

TEST(ParseDecl, BlankLineEndsDocComment) {
  // Only the run right before the declaration documents it, with LF, CR LF or CR line ends.
  for (std::string end : {"\n", "\r\n", "\r"}) {
    auto p = ParseText("/// First run." + end + end + "/// Second run." + end + "/// Its line 2." +
                       end + "component c() { image = \"i\" }" + end);
    ASSERT_EQ(p->file.decls.size(), 1u);
    EXPECT_EQ(p->file.decls[0].doc, "Second run.\nIts line 2.");
    ASSERT_EQ(p->sink.diagnostics().size(), 1u);
    EXPECT_EQ(p->sink.diagnostics()[0].kind, diag::Kind::kStrayDocComment);
    EXPECT_EQ(p->Text(p->sink.diagnostics()[0].span), "/// First run.");
  }
}

TEST(ParseDecl, NulInDocCommentIsAnError) {
  // A doc comment becomes a description, a string of the IR; a plain comment may hold anything.
  auto p =
      ParseText(std::string("// plain \0 comment\n/// doc \0 comment\npipeline p() { }\n", 54));
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].kind, diag::Kind::kInvalidCharacter);
  EXPECT_EQ(p->sink.diagnostics()[0].message, "a doc comment cannot contain a NUL byte");
  EXPECT_EQ(p->sink.diagnostics()[0].span.begin, 27u);
}

TEST(ParseDecl, ContextualWordsAreNames) {
  auto p = ParseValid(
      "component env(parallelism: int, env: string) { env = \"x\" }\n"
      "pipeline p() { parallelism = env(parallelism = 1, env = \"a\") }\n");
  ASSERT_EQ(p->file.decls.size(), 2u);
  EXPECT_EQ(p->file.decls[0].name, "env");
  EXPECT_EQ(p->file.decls[0].inputs[0].name, "parallelism");
  EXPECT_EQ(p->file.decls[0].settings[0].form, ast::Setting::Form::kAssign);
  const ast::Stmt& task = p->file.decls[1].body.at(0);
  EXPECT_EQ(task.kind, StmtKind::kTask);
  EXPECT_EQ(task.task.binding, "parallelism");
  EXPECT_EQ(task.task.callee, "env");
}

// ---------------------------------------------------------------------------------------------
// Settings and statements
// ---------------------------------------------------------------------------------------------

TEST(ParseSetting, ThreeForms) {
  auto p = ParseValid(
      "artifact A {\n"
      "  name = 1\n"
      "  env AWS_REGION = \"us-east-1\"\n"
      "  retry { max = 3  backoff = \"30s\" }\n"
      "}\n");
  const std::vector<ast::Setting>& settings = p->file.decls.at(0).settings;
  ASSERT_EQ(settings.size(), 3u);
  EXPECT_EQ(settings[0].form, ast::Setting::Form::kAssign);
  EXPECT_EQ(settings[1].form, ast::Setting::Form::kEnv);
  EXPECT_EQ(settings[1].name, "AWS_REGION");
  EXPECT_EQ(p->Text(settings[1].name_span), "AWS_REGION");
  EXPECT_EQ(p->Text(settings[1].span), "env AWS_REGION = \"us-east-1\"");
  EXPECT_EQ(settings[2].form, ast::Setting::Form::kBlock);
  EXPECT_EQ(settings[2].name, "retry");
  ASSERT_EQ(settings[2].children.size(), 2u);
  EXPECT_EQ(settings[2].children[1].name, "backoff");
  EXPECT_EQ(settings[2].children[1].value->text, "30s");
}

TEST(ParseStmt, TasksAndPipelineSettings) {
  auto p = ParseValid(
      "pipeline p(bucket: string) -> (model: Model) {\n"
      "  display_name = \"CIFAR\"\n"
      "  data = download(bucket = bucket)\n"
      "  trained = train(data.dataset, epochs = 3) {\n"
      "    memory_limit = \"16Gi\"\n"
      "    env AWS_REGION = \"us-east-1\"\n"
      "    retry { max = 3 }\n"
      "  }\n"
      "  notify()\n"
      "  return model = trained.model\n"
      "}\n");
  const std::vector<ast::Stmt>& body = p->file.decls.at(0).body;
  ASSERT_EQ(body.size(), 5u);

  EXPECT_EQ(body[0].kind, StmtKind::kSetting);
  EXPECT_EQ(body[0].setting.name, "display_name");
  EXPECT_EQ(body[0].setting.value->text, "CIFAR");

  EXPECT_EQ(body[1].kind, StmtKind::kTask);
  EXPECT_EQ(body[1].task.binding, "data");
  EXPECT_EQ(body[1].task.callee, "download");
  EXPECT_FALSE(body[1].task.has_block);
  EXPECT_EQ(p->Text(body[1].task.args_span), "(bucket = bucket)");
  ASSERT_EQ(body[1].task.args.size(), 1u);
  EXPECT_EQ(body[1].task.args[0].name, "bucket");
  EXPECT_EQ(p->Text(body[1].task.args[0].span), "bucket = bucket");

  const ast::TaskCall& trained = body[2].task;
  EXPECT_EQ(trained.binding, "trained");
  EXPECT_EQ(p->Text(trained.binding_span), "trained");
  EXPECT_EQ(p->Text(trained.callee_span), "train");
  ASSERT_EQ(trained.args.size(), 2u);
  EXPECT_EQ(trained.args[0].name, "");
  EXPECT_EQ(trained.args[0].value->kind, ExprKind::kMember);
  EXPECT_TRUE(trained.has_block);
  ASSERT_EQ(trained.settings.size(), 3u);
  EXPECT_EQ(trained.settings[1].form, ast::Setting::Form::kEnv);
  EXPECT_EQ(trained.settings[2].children.at(0).name, "max");

  EXPECT_EQ(body[3].kind, StmtKind::kTask);
  EXPECT_EQ(body[3].task.binding, "");
  EXPECT_EQ(body[3].task.callee, "notify");
  EXPECT_TRUE(body[3].task.args.empty());

  EXPECT_EQ(body[4].kind, StmtKind::kReturn);
  EXPECT_EQ(body[4].output_name, "model");
  EXPECT_EQ(p->Text(body[4].output_name_span), "model");
  EXPECT_EQ(p->Text(body[4].value->span), "trained.model");
  EXPECT_EQ(p->Text(body[4].span), "return model = trained.model");
}

TEST(ParseStmt, ReturnWithoutName) {
  auto p = ParseValid("pipeline p() -> int { return t.output }");
  const ast::Stmt& ret = p->file.decls.at(0).body.at(0);
  EXPECT_EQ(ret.kind, StmtKind::kReturn);
  EXPECT_EQ(ret.output_name, "");
  EXPECT_EQ(ret.value->kind, ExprKind::kMember);
}

TEST(ParseStmt, PipelineEnvAndBlockSettings) {
  auto p = ParseValid("pipeline p() { env A = \"1\"  retry { max = 2 } }");
  const std::vector<ast::Stmt>& body = p->file.decls.at(0).body;
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0].kind, StmtKind::kSetting);
  EXPECT_EQ(body[0].setting.form, ast::Setting::Form::kEnv);
  EXPECT_EQ(body[1].setting.form, ast::Setting::Form::kBlock);
  EXPECT_EQ(body[1].setting.children.size(), 1u);
}

TEST(ParseStmt, IfElseChain) {
  auto p = ParseValid(
      "pipeline p() {\n"
      "  if t.output == \"heads\" { a() } else if t.output == \"tails\" { b() c() } else { d() }\n"
      "}\n");
  const ast::Stmt& stmt = p->file.decls.at(0).body.at(0);
  ASSERT_EQ(stmt.kind, StmtKind::kIf);
  ASSERT_EQ(stmt.branches.size(), 3u);
  EXPECT_EQ(p->Text(stmt.branches[0].keyword_span), "if");
  EXPECT_EQ(p->Text(stmt.branches[1].keyword_span), "else if");
  EXPECT_EQ(p->Text(stmt.branches[2].keyword_span), "else");
  EXPECT_EQ(stmt.branches[0].condition->text, "==");
  EXPECT_EQ(stmt.branches[1].body.size(), 2u);
  EXPECT_EQ(stmt.branches[2].condition, nullptr);
  EXPECT_EQ(p->Text(stmt.branches[2].span), "else { d() }");
  EXPECT_EQ(p->Text(stmt.branches[0].span), "if t.output == \"heads\" { a() }");
}

TEST(ParseStmt, IfWithoutElse) {
  auto p = ParseValid("pipeline p() { if x { a() } }");
  const ast::Stmt& stmt = p->file.decls.at(0).body.at(0);
  ASSERT_EQ(stmt.branches.size(), 1u);
  EXPECT_EQ(stmt.branches[0].condition->kind, ExprKind::kName);
}

TEST(ParseStmt, ForLoop) {
  auto p = ParseValid(
      "pipeline p() {\n"
      "  for item in [1, 2, 3] parallelism = 2 { t = step(v = item) }\n"
      "  for x in items { u = step(v = x) }\n"
      "}\n");
  const std::vector<ast::Stmt>& body = p->file.decls.at(0).body;
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0].kind, StmtKind::kFor);
  EXPECT_EQ(body[0].loop_variable, "item");
  EXPECT_EQ(p->Text(body[0].loop_variable_span), "item");
  EXPECT_EQ(body[0].value->kind, ExprKind::kList);
  EXPECT_EQ(body[0].parallelism->int_value, 2);
  EXPECT_EQ(body[0].body.at(0).task.callee, "step");
  EXPECT_EQ(body[1].parallelism, nullptr);
  EXPECT_EQ(body[1].value->text, "items");
}

TEST(ParseStmt, TryFinally) {
  auto p = ParseValid("pipeline p() { try { a = f() b = g() } finally { cleanup(status = s) } }");
  const ast::Stmt& stmt = p->file.decls.at(0).body.at(0);
  EXPECT_EQ(stmt.kind, StmtKind::kTry);
  EXPECT_EQ(stmt.body.size(), 2u);
  ASSERT_EQ(stmt.finally_body.size(), 1u);
  EXPECT_EQ(stmt.finally_body[0].task.callee, "cleanup");
  EXPECT_EQ(p->Text(stmt.finally_span), "finally");
}

TEST(ParseStmt, CallInsideOtherExpressionIsASetting) {
  auto p = ParseValid("pipeline p() { a = f(x).y  b = (g(x)) }");
  const std::vector<ast::Stmt>& body = p->file.decls.at(0).body;
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0].kind, StmtKind::kSetting);
  EXPECT_EQ(body[0].setting.value->kind, ExprKind::kMember);
  EXPECT_EQ(body[0].setting.value->object->kind, ExprKind::kCall);
  EXPECT_EQ(body[1].kind, StmtKind::kSetting);
  EXPECT_EQ(body[1].setting.value->kind, ExprKind::kCall);
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

TEST(ParseExpr, Precedence) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("not a.b == -c and d or e != f", &e);
  ASSERT_NE(e, nullptr);
  // ((not (a.b == (-c))) and d) or (e != f)
  ASSERT_EQ(e->kind, ExprKind::kBinary);
  EXPECT_EQ(e->text, "or");
  EXPECT_EQ(p->Text(e->text_span), "or");
  const ast::Expr& left = *e->object;
  EXPECT_EQ(left.text, "and");
  EXPECT_EQ(left.object->kind, ExprKind::kUnary);
  EXPECT_EQ(left.object->text, "not");
  const ast::Expr& compare = *left.object->object;
  EXPECT_EQ(compare.text, "==");
  EXPECT_EQ(compare.object->kind, ExprKind::kMember);
  EXPECT_EQ(compare.object->text, "b");
  EXPECT_EQ(compare.object->object->text, "a");
  EXPECT_EQ(compare.rhs->kind, ExprKind::kUnary);
  EXPECT_EQ(compare.rhs->text, "-");
  EXPECT_EQ(compare.rhs->object->text, "c");
  EXPECT_EQ(e->rhs->text, "!=");
  EXPECT_EQ(p->Text(e->span), "not a.b == -c and d or e != f");
}

TEST(ParseExpr, ComparisonsAndParentheses) {
  for (std::string op : {"==", "!=", "<", "<=", ">", ">="}) {
    const ast::Expr* e = nullptr;
    auto p = ParseSettingValue("(a or b) " + op + " 1", &e);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->text, op);
    EXPECT_EQ(e->object->text, "or");
    EXPECT_EQ(p->Text(e->object->span), "a or b");
  }
}

TEST(ParseExpr, MemberChain) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("run.task.output.path", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kMember);
  EXPECT_EQ(e->text, "path");
  EXPECT_EQ(p->Text(e->text_span), "path");
  EXPECT_EQ(e->object->object->object->text, "run");
  EXPECT_EQ(p->Text(e->object->span), "run.task.output");
}

TEST(ParseExpr, CallsWithPositionalAndNamedArguments) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("if_present(x, then = [\"a\"], else = [concat(\"b\", x),])", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kCall);
  EXPECT_EQ(e->text, "if_present");
  EXPECT_EQ(p->Text(e->text_span), "if_present");
  ASSERT_EQ(e->args.size(), 3u);
  EXPECT_EQ(e->args[0].name, "");
  EXPECT_EQ(e->args[1].name, "then");
  EXPECT_EQ(e->args[2].name, "else");
  EXPECT_EQ(p->Text(e->args[2].name_span), "else");
  const ast::Expr& inner = *e->args[2].value->items.at(0);
  EXPECT_EQ(inner.text, "concat");
  EXPECT_EQ(inner.args.size(), 2u);
}

TEST(ParseExpr, ListsAndMaps) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("[{\"a\": 1, \"b\": [],}, {}, []]", &e);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->kind, ExprKind::kList);
  ASSERT_EQ(e->items.size(), 3u);
  const ast::Expr& map = *e->items[0];
  EXPECT_EQ(map.kind, ExprKind::kMap);
  ASSERT_EQ(map.keys.size(), 2u);
  EXPECT_EQ(map.keys[1]->text, "b");
  EXPECT_EQ(map.items[1]->kind, ExprKind::kList);
  EXPECT_TRUE(e->items[1]->keys.empty());
  EXPECT_EQ(e->items[2]->kind, ExprKind::kList);
}

TEST(ParseExpr, Numbers) {
  struct Case {
    std::string text;
    ExprKind kind;
    int64_t int_value;
    double float_value;
  };
  for (const Case& c : std::vector<Case>{{"10", ExprKind::kInt, 10, 0},
                                         {"-3", ExprKind::kInt, -3, 0},
                                         {"0.001", ExprKind::kFloat, 0, 0.001},
                                         {"1e-3", ExprKind::kFloat, 0, 0.001},
                                         {"-2.5", ExprKind::kFloat, 0, -2.5},
                                         {"2.5E+2", ExprKind::kFloat, 0, 250},
                                         {"9223372036854775807", ExprKind::kInt, INT64_MAX, 0},
                                         {"-9223372036854775808", ExprKind::kInt, INT64_MIN, 0}}) {
    const ast::Expr* e = nullptr;
    auto p = ParseSettingValue(c.text, &e);
    ASSERT_NE(e, nullptr) << c.text;
    EXPECT_EQ(e->kind, c.kind) << c.text;
    EXPECT_EQ(e->literal, c.text);
    EXPECT_EQ(e->int_value, c.int_value) << c.text;
    EXPECT_DOUBLE_EQ(e->float_value, c.float_value) << c.text;
    EXPECT_EQ(p->Text(e->span), c.text);
  }
}

TEST(ParseExpr, UnaryMinusBeforeSpaceIsAnOperator) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("- 3", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kUnary);
  EXPECT_EQ(e->object->int_value, 3);
}

TEST(ParseExpr, BoolsAndNone) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("[true, false, none]", &e);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->items.size(), 3u);
  EXPECT_EQ(e->items[0]->kind, ExprKind::kBool);
  EXPECT_TRUE(e->items[0]->bool_value);
  EXPECT_FALSE(e->items[1]->bool_value);
  EXPECT_EQ(e->items[2]->kind, ExprKind::kNone);
}

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

TEST(ParseString, Escapes) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue(R"("a\"b\\c\nd\te\rf\{g\}h\u{48}\u{e9}\u{1F600}")", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kString);
  EXPECT_EQ(e->text, "a\"b\\c\nd\te\rf{g}hH\xC3\xA9\xF0\x9F\x98\x80");
  ASSERT_EQ(e->parts.size(), 1u);
  EXPECT_FALSE(e->parts[0].is_interpolation);
  EXPECT_EQ(e->parts[0].text, e->text);
  EXPECT_EQ(p->Text(e->parts[0].span), R"(a\"b\\c\nd\te\rf\{g\}h\u{48}\u{e9}\u{1F600})");
}

TEST(ParseString, Interpolation) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue(R"("s3://{bucket}/{train.model}-\{x\}{n}")", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text, "s3://{bucket}/{train.model}-{x}{n}");
  ASSERT_EQ(e->parts.size(), 6u);
  EXPECT_EQ(e->parts[0].text, "s3://");
  EXPECT_EQ(p->Text(e->parts[0].span), "s3://");
  EXPECT_TRUE(e->parts[1].is_interpolation);
  EXPECT_EQ(e->parts[1].text, "bucket");
  EXPECT_EQ(p->Text(e->parts[1].span), "{bucket}");
  EXPECT_EQ(e->parts[2].text, "/");
  const ast::StringPart& member = e->parts[3];
  EXPECT_EQ(member.text, "train.model");
  ASSERT_EQ(member.path.size(), 2u);
  EXPECT_EQ(member.path[0], "train");
  EXPECT_EQ(member.path[1], "model");
  EXPECT_EQ(p->Text(member.path_spans[0]), "train");
  EXPECT_EQ(p->Text(member.path_spans[1]), "model");
  EXPECT_EQ(e->parts[4].text, "-{x}");
  EXPECT_EQ(p->Text(e->parts[4].span), R"(-\{x\})");
  EXPECT_EQ(e->parts[5].path, std::vector<std::string>{"n"});
}

TEST(ParseString, EmptyString) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("\"\"", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text, "");
  EXPECT_TRUE(e->parts.empty());
}

TEST(ParseString, RawStringDropsTheNewlineAfterTheOpening) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("\"\"\"  \ndef f(a: str) -> str:\n    return \"{a}\\n\"\n\"\"\"", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kRawString);
  EXPECT_EQ(e->text, "def f(a: str) -> str:\n    return \"{a}\\n\"\n");
  ASSERT_EQ(e->parts.size(), 1u);
  EXPECT_EQ(p->Text(e->parts[0].span), e->text);
}

TEST(ParseString, RawStringLineBreaksBecomeLf) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("\"\"\"\r\nline 1\r\nline 2\rline 3\r\n\"\"\"", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kRawString);
  EXPECT_EQ(e->text, "line 1\nline 2\nline 3\n");
  ASSERT_EQ(e->parts.size(), 1u);
  EXPECT_EQ(p->Text(e->parts[0].span), "line 1\r\nline 2\rline 3\r\n")
      << "the span covers the source bytes after the opening line break";
}

TEST(ParseString, HashedRawStringCrLfBecomesLf) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("#\"\"\"\r\n\"\"\"doc\"\"\"\r\n\"\"\"#", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text, "\"\"\"doc\"\"\"\n");
}

TEST(ParseError, LineNumbersWithCrOnlyLineBreaks) {
  auto p = ParseText("component c() {\r  image = \"a\"\r  x = \"\\q\"\r}\r");
  EXPECT_EQ(p->Errors(),
            "t.kf:3:8: error: invalid escape `\\q` in a string\n"
            "3 |   x = \"\\q\"\n"
            "  |        ^~\n"
            "help: the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\{`, `\\}`, `\\$` and "
            "`\\u{HEX}`\n");
}

TEST(ParseString, RawStringOnOneLine) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("\"\"\"a \"quoted\" {x} \\n\"\"\"", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kRawString);
  EXPECT_EQ(e->text, "a \"quoted\" {x} \\n");
}

TEST(Utf8, SequenceLengthByLeadByte) {
  EXPECT_EQ(diag::Utf8SequenceLength(0x00), 1u);
  EXPECT_EQ(diag::Utf8SequenceLength(0x7F), 1u);
  EXPECT_EQ(diag::Utf8SequenceLength(0x80), 0u) << "a continuation byte starts no sequence";
  EXPECT_EQ(diag::Utf8SequenceLength(0xBF), 0u);
  EXPECT_EQ(diag::Utf8SequenceLength(0xC2), 2u);
  EXPECT_EQ(diag::Utf8SequenceLength(0xE2), 3u);
  EXPECT_EQ(diag::Utf8SequenceLength(0xF0), 4u);
  EXPECT_EQ(diag::Utf8SequenceLength(0xF8), 0u);
  EXPECT_EQ(diag::Utf8SequenceLength(0xFF), 0u);
}

TEST(Utf8, DecodeAcceptsValidAndRejectsInvalid) {
  char32_t code_point = 0;
  EXPECT_EQ(diag::DecodeUtf8("\xC3\xA9", &code_point), 2u);
  EXPECT_EQ(code_point, U'\u00E9');
  EXPECT_EQ(diag::DecodeUtf8("\xF0\x9F\x98\x80", &code_point), 4u);
  EXPECT_EQ(code_point, U'\U0001F600');
  EXPECT_EQ(diag::DecodeUtf8("\x80", &code_point), 0u) << "continuation byte";
  EXPECT_EQ(diag::DecodeUtf8("\xC0\xAF", &code_point), 0u) << "overlong";
  EXPECT_EQ(diag::DecodeUtf8("\xED\xA0\x80", &code_point), 0u) << "surrogate";
  EXPECT_EQ(diag::DecodeUtf8("\xF4\x90\x80\x80", &code_point), 0u) << "above U+10FFFF";
  EXPECT_EQ(diag::DecodeUtf8("\xE2\x82", &code_point), 0u) << "cut off";
  EXPECT_EQ(diag::DecodeUtf8("", &code_point), 0u);
}

TEST(Utf8, StrayContinuationByteInStringIsOneInvalidByte) {
  // The string decoder and the source stream agree: the stray byte is reported once, and the
  // character after it is kept.
  auto p = ParseText("component c() { d = \"a\x80" "b\" }");
  EXPECT_NE(p->Errors().find("t.kf:1:23"), std::string::npos) << p->Errors();
}

TEST(ParseSpan, ByteOffsetsAfterMultiByteCharacters) {
  // "é" and "ü" take two bytes each, "😀" four: spans count bytes, not code points.
  auto p = ParseValid("// é😀\ncomponent c(x: int = 1) { d = \"ü{x}\" e = 2 }\n");
  const ast::Decl& decl = p->file.decls.at(0);
  EXPECT_EQ(decl.span.begin, 10u);
  EXPECT_EQ(p->Text(decl.name_span), "c");
  const ast::Expr& d = *decl.settings.at(0).value;
  EXPECT_EQ(d.text, "\xC3\xBC{x}");
  EXPECT_EQ(p->Text(d.span), "\"\xC3\xBC{x}\"");
  EXPECT_EQ(p->Text(d.parts.at(1).span), "{x}");
  EXPECT_EQ(p->Text(decl.settings.at(1).span), "e = 2");
}

TEST(ParseSpan, ByteOrderMarkIsWhiteSpace) {
  auto p = ParseValid(
      "\xEF\xBB\xBF"
      "component c() { }\n");
  ASSERT_EQ(p->file.decls.size(), 1u);
  EXPECT_EQ(p->file.decls[0].span.begin, 3u);
}

TEST(ParseSpan, CrLfLineEndings) {
  auto p = ParseValid("component c() {\r\n  image = \"i\"\r\n}\r\n");
  EXPECT_EQ(p->Text(p->file.decls.at(0).settings.at(0).span), "image = \"i\"");
}

// ---------------------------------------------------------------------------------------------
// Syntax errors: full messages
// ---------------------------------------------------------------------------------------------

TEST(ParseError, MissingClosingParenthesis) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  t = train(data = d\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:21: error: expected `)` after the arguments of `train`, found `}`\n"
            "2 |   t = train(data = d\n"
            "  |                     ^\n"
            "help: insert `,` or `)` here\n");
}

TEST(ParseError, MissingCommaBetweenArguments) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  t = train(a = 1 b = 2)\n"
                      "  u = test(m = t.model)\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:19: error: expected `)` after the arguments of `train`, found `b`\n"
            "2 |   t = train(a = 1 b = 2)\n"
            "  |                   ^\n"
            "help: separate the arguments with `,`\n");
}

TEST(ParseError, MissingCommaBetweenInputs) {
  EXPECT_EQ(ParseText("component c(a: int b: int) { image = \"i\" }\n")->Errors(),
            "t.kf:1:20: error: expected `)` after the inputs of `c`, found `b`\n"
            "1 | component c(a: int b: int) { image = \"i\" }\n"
            "  |                    ^\n"
            "help: separate the inputs with `,`\n");
}

TEST(ParseError, ColonInsteadOfEquals) {
  EXPECT_EQ(ParseText("component c() {\n"
                      "  image: \"python:3.11\"\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:8: error: expected `=` or `{` after `image` in the settings of `c`, found `:`\n"
            "2 |   image: \"python:3.11\"\n"
            "  |        ^\n"
            "help: write a setting as `name = value`\n");
}

TEST(ParseError, TaskSettingWithoutEquals) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  t = train() { memory_limit \"16Gi\" }\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:30: error: expected `=` or `{` after `memory_limit` in the settings of task "
            "`t`, found a string\n"
            "2 |   t = train() { memory_limit \"16Gi\" }\n"
            "  |                              ^~~~~~\n"
            "help: write a setting as `name = value`\n");
}

TEST(ParseError, TwoNamesInABody) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  train data\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:9: error: expected `=`, `(` or `{` after `train` in the body of `p`, found "
            "`data`\n"
            "2 |   train data\n"
            "  |         ^~~~\n"
            "help: write a task as `name = component(...)`, or a setting as `name = value`\n");
}

TEST(ParseError, ElifGetsElseIfHelp) {
  for (const char* word : {"elif", "elsif", "elseif"}) {
    std::string errors = ParseText(std::string("pipeline p(a: int = 1) {\n"
                                               "  if a == 1 {\n"
                                               "    f()\n"
                                               "  } ") +
                                   word +
                                   " a == 2 {\n"
                                   "    f()\n"
                                   "  }\n"
                                   "}\n")
                             ->Errors();
    EXPECT_NE(errors.find("help: write `else if` for another branch of an `if`\n"),
              std::string::npos)
        << errors;
  }
}

TEST(ParseError, EqualsInsteadOfColon) {
  EXPECT_EQ(ParseText("component c(epochs = 10) { image = \"i\" }\n")->Errors(),
            "t.kf:1:20: error: expected `:` in the inputs of `c`, found `=`\n"
            "1 | component c(epochs = 10) { image = \"i\" }\n"
            "  |                    ^\n"
            "help: write an input as `name: type` or `name: type = default`\n");
}

TEST(ParseError, AssignmentInCondition) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  if t.output = \"heads\" { a() }\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:15: error: expected `{` in the `if` statement, found `=`\n"
            "2 |   if t.output = \"heads\" { a() }\n"
            "  |               ^\n"
            "help: compare with `==`\n");
}

TEST(ParseError, KeywordAsName) {
  EXPECT_EQ(ParseText("component for() { image = \"i\" }\n")->Errors(),
            "t.kf:1:11: error: expected a name in the `component` declaration, found `for`\n"
            "1 | component for() { image = \"i\" }\n"
            "  |           ^~~\n"
            "help: `for` is a keyword; choose another name\n");
}

TEST(ParseError, MissingExpression) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  display_name =\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:17: error: expected a value for `display_name` in the body of `p`, found `}`\n"
            "2 |   display_name =\n"
            "  |                 ^\n"
            "help: write a value for `display_name` here: a string such as `\"text\"`, a number, "
            "an input or a task output such as `t.output`\n");
}

TEST(ParseError, UnclosedList) {
  EXPECT_EQ(ParseText("component c() {\n"
                      "  args = [\"a\", \"b\"\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:19: error: expected `]` at the end of the list, found `}`\n"
            "2 |   args = [\"a\", \"b\"\n"
            "  |                   ^\n"
            "t.kf:2:10: note: unclosed `[`\n"
            "2 |   args = [\"a\", \"b\"\n"
            "  |          ^\n"
            "help: insert `,` or `]` here\n");
}

TEST(ParseError, UnclosedBodyAtEndOfFile) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  t = train()\n")
                ->Errors(),
            "t.kf:2:14: error: unexpected end of file in the body of `p`\n"
            "2 |   t = train()\n"
            "  |              ^\n"
            "t.kf:1:14: note: unclosed `{`\n"
            "1 | pipeline p() {\n"
            "  |              ^\n");
}

TEST(ParseError, StrayClosingBrace) {
  EXPECT_EQ(ParseText("component c() { image = \"i\" }\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:1: error: unexpected `}`\n"
            "2 | }\n"
            "  | ^\n"
            "help: remove this unmatched `}`\n");
}

TEST(ParseError, NotADeclaration) {
  EXPECT_EQ(
      ParseText("image = \"python\"\n")->Errors(),
      "t.kf:1:1: error: expected a declaration, found `image`\n"
      "1 | image = \"python\"\n"
      "  | ^~~~~\n"
      "help: a file contains `import`, `artifact`, `component` and `pipeline` declarations\n");
}

TEST(ParseError, OutputWithDefault) {
  EXPECT_EQ(ParseText("component c() -> (a: int = 1) { image = \"i\" }\n")->Errors(),
            "t.kf:1:26: error: expected `)` after the outputs of `c`, found `=`\n"
            "1 | component c() -> (a: int = 1) { image = \"i\" }\n"
            "  |                          ^\n"
            "help: outputs cannot have a default value\n");
}

TEST(ParseError, SettingsBlockAfterValue) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  a = 5 { retry { max = 1 } }\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:9: error: unexpected `{` after the value of `a`\n"
            "2 |   a = 5 { retry { max = 1 } }\n"
            "  |         ^\n"
            "help: only a task, `name = component(...)`, takes a block of settings\n");
}

TEST(ParseError, TryWithoutFinally) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  try { a() }\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:14: error: expected `finally` in the `try` statement, found `}`\n"
            "2 |   try { a() }\n"
            "  |              ^\n"
            "help: insert `finally` here\n");
}

TEST(ParseError, ForWithoutIn) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  for x [1, 2] { a(v = x) }\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:8: error: expected `in` in the `for` loop\n"
            "2 |   for x [1, 2] { a(v = x) }\n"
            "  |        ^\n"
            "help: insert `in` here\n");
}

TEST(ParseError, UnterminatedString) {
  EXPECT_EQ(
      ParseText("pipeline p() {\n"
                "  a = \"abc\n"
                "  b = f()\n"
                "}\n")
          ->Errors(),
      "t.kf:2:7: error: unterminated string literal\n"
      "2 |   a = \"abc\n"
      "  |       ^~~~\n"
      "help: close the string with `\"` on the same line, or use a raw string `\"\"\"...\"\"\"`\n");
}

TEST(ParseError, UnterminatedRawString) {
  EXPECT_EQ(ParseText("component c() {\n"
                      "  python = \"\"\"\n"
                      "def c():\n"
                      "    pass\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:12: error: unterminated raw string literal\n"
            "2 |   python = \"\"\"\n"
            "  |            ^~~\n"
            "help: close the string with `\"\"\"`\n");
}

TEST(ParseError, InvalidEscapes) {
  EXPECT_EQ(
      ParseText("component c() { v = \"\\q and \\u{110000} and \\u{} and \\u12\" }\n")->Errors(),
      "t.kf:1:22: error: invalid escape `\\q` in a string\n"
      "1 | component c() { v = \"\\q and \\u{110000} and \\u{} and \\u12\" }\n"
      "  |                      ^~\n"
      "help: the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\{`, `\\}`, `\\$` and `\\u{HEX}`\n"
      "t.kf:1:29: error: invalid unicode escape `\\u{110000}`\n"
      "1 | component c() { v = \"\\q and \\u{110000} and \\u{} and \\u12\" }\n"
      "  |                             ^~~~~~~~~~\n"
      "help: write `\\u{` and the 1 to 6 hexadecimal digits of a code point, then `}`\n"
      "t.kf:1:44: error: invalid unicode escape `\\u{}`\n"
      "1 | component c() { v = \"\\q and \\u{110000} and \\u{} and \\u12\" }\n"
      "  |                                            ^~~~\n"
      "help: write `\\u{` and the 1 to 6 hexadecimal digits of a code point, then `}`\n"
      "t.kf:1:53: error: invalid unicode escape `\\u`\n"
      "1 | component c() { v = \"\\q and \\u{110000} and \\u{} and \\u12\" }\n"
      "  |                                                     ^~\n"
      "help: write `\\u{` and the 1 to 6 hexadecimal digits of a code point, then `}`\n");
}

TEST(ParseError, InvalidInterpolations) {
  EXPECT_EQ(
      ParseText("component c() { v = \"{a..b} {1x} {} { a }\" }\n")->Errors(),
      "t.kf:1:22: error: invalid interpolation `{a..b}`\n"
      "1 | component c() { v = \"{a..b} {1x} {} { a }\" }\n"
      "  |                      ^~~~~~\n"
      "help: write a name such as `{epochs}` or `{task.output}`, or `\\{` for a literal `{`\n"
      "t.kf:1:29: error: invalid interpolation `{1x}`\n"
      "1 | component c() { v = \"{a..b} {1x} {} { a }\" }\n"
      "  |                             ^~~~\n"
      "help: write a name such as `{epochs}` or `{task.output}`, or `\\{` for a literal `{`\n"
      "t.kf:1:34: error: invalid interpolation `{}`\n"
      "1 | component c() { v = \"{a..b} {1x} {} { a }\" }\n"
      "  |                                  ^~\n"
      "help: write a name such as `{epochs}` or `{task.output}`, or `\\{` for a literal `{`\n"
      "t.kf:1:37: error: invalid interpolation `{ a }`\n"
      "1 | component c() { v = \"{a..b} {1x} {} { a }\" }\n"
      "  |                                     ^~~~~\n"
      "help: write a name such as `{epochs}` or `{task.output}`, or `\\{` for a literal `{`\n");
}

TEST(ParseError, UnbalancedBracesInString) {
  EXPECT_EQ(ParseText("component c() { v = \"{abc\"  w = \"x}\" }\n")->Errors(),
            "t.kf:1:22: error: unclosed `{` in a string\n"
            "1 | component c() { v = \"{abc\"  w = \"x}\" }\n"
            "  |                      ^\n"
            "help: close the interpolation with `}`, or write `\\{` for a literal `{`\n"
            "t.kf:1:35: error: unmatched `}` in a string\n"
            "1 | component c() { v = \"{abc\"  w = \"x}\" }\n"
            "  |                                   ^\n"
            "help: write `\\}` for a literal `}`\n");
}

TEST(ParseError, InvalidNumbers) {
  EXPECT_EQ(ParseText("component c() { a = 99999999999999999999  b = 1e999  c = 12abc  d = 1e }\n")
                ->Errors(),
            "t.kf:1:21: error: integer `99999999999999999999` is outside the range -2^53 to 2^53 "
            "that the IR stores exactly\n"
            "1 | component c() { a = 99999999999999999999  b = 1e999  c = 12abc  d = 1e }\n"
            "  |                     ^~~~~~~~~~~~~~~~~~~~\n"
            "help: KFP stores numbers as 64-bit floating point, which represents integers exactly "
            "only up to 2^53 (9007199254740992); pass a larger value as a `string`\n"
            "t.kf:1:47: error: float `1e999` is out of range\n"
            "1 | component c() { a = 99999999999999999999  b = 1e999  c = 12abc  d = 1e }\n"
            "  |                                               ^~~~~\n"
            "help: a float must be between about -1.8e308 and 1.8e308\n"
            "t.kf:1:58: error: invalid number `12abc`\n"
            "1 | component c() { a = 99999999999999999999  b = 1e999  c = 12abc  d = 1e }\n"
            "  |                                                          ^~~~~\n"
            "help: write an integer such as `10` or `-3`, or a float such as `0.5` or `1e-3`\n"
            "t.kf:1:69: error: invalid number `1e`\n"
            "1 | component c() { a = 99999999999999999999  b = 1e999  c = 12abc  d = 1e }\n"
            "  |                                                                     ^~\n"
            "help: write an integer such as `10` or `-3`, or a float such as `0.5` or `1e-3`\n");
}

TEST(ParseError, FloatTooCloseToZero) {
  EXPECT_EQ(ParseText("component c() { f = 1e-400 }\n")->Errors(),
            "t.kf:1:21: error: float `1e-400` is too close to zero to represent\n"
            "1 | component c() { f = 1e-400 }\n"
            "  |                     ^~~~~~\n"
            "help: the smallest nonzero float is about 4.9e-324; write `0.0` if zero is meant\n");
  // Subnormal floats are still floats, and a zero with a large exponent is zero.
  ParseValid("component c() { f = 1e-310  g = 0e-400 }\n");
}

TEST(ParseError, SingleQuotedString) {
  EXPECT_EQ(ParseText("component c() { image = 'python' }\n")->Errors(),
            "t.kf:1:25: error: single-quoted string `'python'`\n"
            "1 | component c() { image = 'python' }\n"
            "  |                         ^~~~~~~~\n"
            "help: write strings in double quotes: `\"...\"`\n");
}

TEST(ParseError, StrayCharacters) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  if a && b { x() }\n"
                      "  y = 1 + 2\n"
                      "  # comment\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:8: error: unexpected characters `&&`\n"
            "2 |   if a && b { x() }\n"
            "  |        ^~\n"
            "help: write `and`\n"
            "t.kf:3:9: error: unexpected character `+`\n"
            "3 |   y = 1 + 2\n"
            "  |         ^\n"
            "help: kfpc expressions have no arithmetic operators\n"
            "t.kf:4:3: error: unexpected character `#`\n"
            "4 |   # comment\n"
            "  |   ^\n"
            "help: comments start with `//`\n");
}

TEST(ParseError, ErrorsInSeveralDeclarations) {
  EXPECT_EQ(ParseText("component a(x: int y: int) { image = \"i\" }\n"
                      "component b() { image = }\n"
                      "pipeline p() { t = a(x = 1 y = 2) }\n"
                      "pipeline q() { }\n")
                ->Errors(),
            "t.kf:1:20: error: expected `)` after the inputs of `a`, found `y`\n"
            "1 | component a(x: int y: int) { image = \"i\" }\n"
            "  |                    ^\n"
            "help: separate the inputs with `,`\n"
            "t.kf:2:25: error: expected a value for `image` in the settings of `b`, found `}`\n"
            "2 | component b() { image = }\n"
            "  |                         ^\n"
            "help: write a value for `image` here: a string such as `\"text\"`, a number, an input "
            "or a task output such as `t.output`\n"
            "t.kf:3:28: error: expected `)` after the arguments of `a`, found `y`\n"
            "3 | pipeline p() { t = a(x = 1 y = 2) }\n"
            "  |                            ^\n"
            "help: separate the arguments with `,`\n");
}

TEST(ParseError, MatchedClosingBracketIsNotDropped) {
  // Dropping the first `)` as unmatched would read the next call as the value of `message`, and
  // each later line would nest one level deeper.
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  echo(message = )\n"
                      "  echo(message = )\n"
                      "}\n")
                ->Errors(),
            "t.kf:2:18: error: expected an expression in the arguments of `echo`, found `)`\n"
            "2 |   echo(message = )\n"
            "  |                  ^\n"
            "help: write an expression here: a string such as `\"text\"`, a number, an input or "
            "a task output such as `t.output`\n"
            "t.kf:3:18: error: expected an expression in the arguments of `echo`, found `)`\n"
            "3 |   echo(message = )\n"
            "  |                  ^\n"
            "help: write an expression here: a string such as `\"text\"`, a number, an input or "
            "a task output such as `t.output`\n");
}

TEST(ParseError, UnexpectedTokenKindHasNoArticle) {
  std::string errors = ParseText("pipeline p() {\n"
                                 "  echo(message = \"a\" \"b\")\n"
                                 "}\n")
                           ->Errors();
  EXPECT_NE(errors.find("error: unexpected string in the arguments of `echo`"), std::string::npos)
      << errors;
}

TEST(ParseError, ManyErrorsInBlockReportedOnce) {
  std::string text = "pipeline p() {\n";
  for (int i = 0; i < 100; ++i) text += "  echo(message = )\n";
  text += "}\n";
  auto parsed = ParseText(text);
  EXPECT_EQ(parsed->sink.diagnostics().size(), 100u);  // the limit of syntax errors in a file
}

TEST(ParseError, LaterUnmatchedBracketReportedInPlace) {
  EXPECT_EQ(ParseText("pipeline p() {\n"
                      "  ) ]\n"
                      "}\n")
                ->Errors()
                .substr(0, 9),
            "t.kf:2:3:");
  EXPECT_EQ(ParseText("component c() { image = \"i\" }\n"
                      "\n"
                      "x = 1\n")
                ->Errors()
                .substr(0, 9),
            "t.kf:3:1:");
}

// ---------------------------------------------------------------------------------------------
// Syntax errors: recovery, lexical errors, limits
// ---------------------------------------------------------------------------------------------

TEST(ParseError, InvalidUtf8) {
  EXPECT_EQ(ParseText("component c() { v = \"\xFF\" }\n")->Errors(),
            "t.kf:1:22: error: the source is not valid UTF-8\n"
            "1 | component c() { v = \"<FF>\" }\n"
            "  |                      ^~~~\n"
            "help: save the file as UTF-8\n");
  // Outside strings and comments the byte is reported once, not also as a stray character.
  auto p = ParseText("component c() { v = \xC3 }");
  ASSERT_EQ(p->sink.diagnostics().size(), 1u);
  EXPECT_EQ(p->sink.diagnostics()[0].kind, diag::Kind::kInvalidCharacter);
}

TEST(ParseError, StrayInvisibleCharactersAreEscaped) {
  // The message quotes the character as the snippet shows it, not as bytes that would reorder or
  // hide the terminal line.
  auto p = ParseText("component c() { v = \u202E }\n");
  ASSERT_FALSE(p->sink.diagnostics().empty());
  EXPECT_EQ(p->sink.diagnostics()[0].message, "unexpected character `<U+202E>`");
  auto nul = ParseText(std::string("component c() { v = 1 ") + '\0' + " }\n");
  ASSERT_FALSE(nul->sink.diagnostics().empty());
  EXPECT_EQ(nul->sink.diagnostics()[0].message, "unexpected character `<U+0000>`");
}

TEST(ParseError, Utf16And32ByteOrderMarks) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {std::string("\xFF\xFEp\0i\0", 6), "the source is UTF-16, not UTF-8"},
      {std::string("\xFE\xFF\0p\0i", 6), "the source is UTF-16, not UTF-8"},
      {std::string("\xFF\xFE\0\0p\0\0\0", 8), "the source is UTF-32, not UTF-8"},
      {std::string("\0\0\xFE\xFF\0\0\0p", 8), "the source is UTF-32, not UTF-8"},
  };
  for (const Case& c : cases) {
    auto p = ParseText(c.text);
    ASSERT_EQ(p->sink.diagnostics().size(), 1u) << p->Errors();
    EXPECT_EQ(p->sink.diagnostics()[0].message, c.message);
    EXPECT_EQ(p->sink.diagnostics()[0].help, "save the file as UTF-8");
    EXPECT_TRUE(p->file.decls.empty());
  }
}

TEST(ParseError, MostlyNulBytesAreOneError) {
  // UTF-16 without a byte order mark, and a file of NUL bytes: one error each, not one per NUL.
  std::string utf16;
  for (char c : std::string("pipeline p() {}\n")) utf16 += std::string(1, c) + '\0';
  for (const std::string& text : {utf16, std::string(100, '\0')}) {
    auto p = ParseText(text);
    ASSERT_EQ(p->sink.diagnostics().size(), 1u) << p->Errors();
    EXPECT_EQ(p->sink.diagnostics()[0].message,
              "the source is not UTF-8 text: most of its bytes are NUL");
  }
  // A stray NUL in a text file is still reported where it is.
  auto p = ParseText(std::string("pipeline p() {}\n\0\n", 18));
  ASSERT_EQ(p->sink.diagnostics().size(), 1u) << p->Errors();
  EXPECT_EQ(p->sink.diagnostics()[0].message, "unexpected character `<U+0000>`");
}

TEST(ParseError, NestingTooDeep) {
  // The 625-byte line is shown from 60 bytes before the error, 160 bytes in all.
  std::string deep =
      "component c() { v = " + std::string(300, '[') + std::string(300, ']') + " }\n";
  EXPECT_EQ(ParseText(deep)->Errors(),
            "t.kf:1:276: error: nesting is deeper than 256 levels\n"
            "1 | ..." +
                deep.substr(215, 160) +
                "...\n"
                "  |    " +
                std::string(60, ' ') +
                "^\n"
                "help: split the expression or the block into smaller parts\n");
}

TEST(ParseError, NestingLimitCountsOperatorsAndBlocks) {
  // Each of these would recurse once per repetition in the parser or in the syntax tree.
  std::string nots, ors = "a", dots = "a", blocks;
  for (int i = 0; i < 5000; ++i) {
    nots += "not ";
    ors += " or a";
    dots += ".a";
  }
  for (int i = 0; i < 1000; ++i) blocks += "if x { ";
  for (std::string text :
       {"component c() { v = " + nots + "x }", "component c() { v = " + ors + " }",
        "component c() { v = " + dots + " }", "pipeline p() { " + blocks}) {
    auto p = ParseText(text);
    ASSERT_EQ(p->sink.diagnostics().size(), 1u);
    EXPECT_EQ(p->sink.diagnostics()[0].kind, diag::Kind::kNestingTooDeep);
  }
  // Just under the limit: the component's braces and 255 brackets.
  ParseValid("component c() { v = " + std::string(255, '(') + "1" + std::string(255, ')') + " }");
  // Long flat lists and many statements are not nesting.
  std::string items = "component c() { v = [";
  for (int i = 0; i < 2000; ++i) items += "a.b == 1 and c, ";
  ParseValid(items + "] }");
}

TEST(ParseError, RecoveryKeepsTheRestOfTheFile) {
  auto p = ParseText(
      "component a(x: int y: int) { image = \"i\" }\n"
      "component b() { image = ]  command = [\"x\"] }\n"
      "pipeline p() { t = a(x = 1 y = 2)  u = b() }\n"
      "pipeline q() { }\n");
  EXPECT_EQ(p->sink.diagnostics().size(), 3u);
  std::vector<std::string> names;
  for (const ast::Decl& decl : p->file.decls) names.push_back(decl.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "p", "q"}));
  // A declaration keeps what could be read; a construct with a mistake is left out.
  const std::vector<ast::Decl>& decls = p->file.decls;
  ASSERT_EQ(decls[0].inputs.size(), 1u);
  EXPECT_EQ(decls[0].inputs[0].name, "x");
  ASSERT_EQ(decls[1].settings.size(), 1u);
  EXPECT_EQ(decls[1].settings[0].name, "command");
  ASSERT_EQ(decls[2].body.size(), 1u);
  EXPECT_EQ(decls[2].body[0].task.binding, "u");
}

TEST(ParseError, UnclosedDeclarationKeepsWhatWasRead) {
  auto p = ParseText(
      "component hello(name: string) {\n"
      "  image = \"busybox\"\n"
      "  command = [\"echo\", name]\n"
      "\n"
      "pipeline greet() {\n"
      "  hello(name = \"world\")\n"
      "}\n");
  EXPECT_EQ(
      p->Errors(),
      "t.kf:3:27: error: expected `}` at the end of the settings of `hello`, found `pipeline`\n"
      "3 |   command = [\"echo\", name]\n"
      "  |                           ^\n"
      "t.kf:1:31: note: unclosed `{`\n"
      "1 | component hello(name: string) {\n"
      "  |                               ^\n");
  ASSERT_EQ(p->file.decls.size(), 2u);
  EXPECT_EQ(p->file.decls[0].settings.size(), 2u);
  EXPECT_EQ(p->file.decls[1].body.size(), 1u);
}

TEST(ParseError, LexicalErrorKinds) {
  auto p = ParseText("component c() { a = \"x\\q\" b = 1x c = \"{}\" d = @ e = ] f = \"\"\"");
  std::vector<diag::Kind> kinds;
  for (const diag::Diagnostic& d : p->sink.diagnostics()) {
    EXPECT_EQ(d.severity, diag::Severity::kError);
    kinds.push_back(d.kind);
  }
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<diag::Kind>{
                       diag::Kind::kSyntaxError, diag::Kind::kUnterminatedString,
                       diag::Kind::kInvalidEscape, diag::Kind::kInvalidNumber,
                       diag::Kind::kInvalidCharacter, diag::Kind::kInvalidInterpolation}));
}

// A cheap fuzz target: every prefix of a program and the program less any one character must
// parse without crashing, and a broken program must yield at least one error.
TEST(ParseFuzz, TruncationsAndDeletions) {
  const std::string program =
      "import \"lib.kf\"\n"
      "/// Doc.\n"
      "artifact A { schema_title = \"x.A\" }\n"
      "component c(a: list<int>? = [1, -2], b: dict<string, float> = {\"k\": 1e-3},) -> (o: A) {\n"
      "  image = \"i\"  args = [\"{a}\", o.path, if_present(a, then = [\"x\"], else = [])]\n"
      "  python = \"\"\"\nprint('hi')\n\"\"\"\n"
      "}\n"
      "pipeline p(n: int = 3) -> int {\n"
      "  t = c(a = [n]) { env X = \"1\" retry { max = 2 } }\n"
      "  if not t.o == \"a\" and n > 1 { u = c() } else if n < 0 { v = c() } else { w() }\n"
      "  for x in [1, 2] parallelism = 2 { c(a = x) }\n"
      "  try { y = c() } finally { z() }\n"
      "  return t.output\n"
      "}\n";
  ParseValid(program);
  for (size_t i = 0; i < program.size(); ++i) {
    ParseText(program.substr(0, i));
    std::string deleted = program;
    deleted.erase(i, 1);
    ParseText(deleted);
  }
  EXPECT_TRUE(ParseText(program.substr(0, program.size() - 2))->sink.has_errors());
}

}  // namespace
}  // namespace kfpc::parse
