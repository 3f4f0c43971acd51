#include "compiler/parse/parse.h"

#include <string>

#include <gtest/gtest.h>

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
  auto p = ParseValid(
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
                                         {"9223372036854775807", ExprKind::kInt,
                                          INT64_MAX, 0},
                                         {"-9223372036854775808", ExprKind::kInt,
                                          INT64_MIN, 0}}) {
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

TEST(ParseString, RawStringOnOneLine) {
  const ast::Expr* e = nullptr;
  auto p = ParseSettingValue("\"\"\"a \"quoted\" {x} \\n\"\"\"", &e);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kRawString);
  EXPECT_EQ(e->text, "a \"quoted\" {x} \\n");
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

TEST(ParseSpan, CrLfLineEndings) {
  auto p = ParseValid("component c() {\r\n  image = \"i\"\r\n}\r\n");
  EXPECT_EQ(p->Text(p->file.decls.at(0).settings.at(0).span), "image = \"i\"");
}

}  // namespace
}  // namespace kfpc::parse
