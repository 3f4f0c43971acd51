#include "compiler/parse/parser_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/parse/parse.h"

namespace kfpc::parse {
namespace {

class Dumper {
 public:
  explicit Dumper(bool with_spans) : with_spans_(with_spans) {}
  std::string Take() { return std::move(out_); }

  void File(const ast::File& file) {
    for (const ast::Decl& decl : file.decls) Decl(decl);
  }

 private:
  template <typename... Args>
  void Line(fmt::format_string<Args...> format, Args&&... args) {
    out_.append(2 * depth_, ' ');
    fmt::format_to(std::back_inserter(out_), format, std::forward<Args>(args)...);
    out_ += '\n';
  }
  std::string S(ast::Span span) const {
    if (!with_spans_) return "-";
    return fmt::format("{}:{}-{}", span.file, span.begin, span.end);
  }

  struct Indent {
    explicit Indent(Dumper* d) : dumper(d) { ++dumper->depth_; }
    ~Indent() { --dumper->depth_; }
    Dumper* dumper;
  };

  void Decl(const ast::Decl& decl) {
    Line(
        "decl kind={} span={} name={:?} name_span={} doc={:?} import={:?} "
        "import_span={} "
        "single_output={}",
        static_cast<int>(decl.kind), S(decl.span), decl.name, S(decl.name_span), decl.doc,
        decl.import_path, S(decl.import_path_span), decl.single_output);
    Indent indent(this);
    for (const ast::Param& param : decl.inputs) Param("input", param);
    for (const ast::Param& param : decl.outputs) Param("output", param);
    for (const ast::Setting& setting : decl.settings) Setting(setting);
    Body("body", decl.body);
  }

  void Param(std::string_view role, const ast::Param& param) {
    Line("{} span={} name={:?} name_span={} doc={:?}", role, S(param.span), param.name,
         S(param.name_span), param.doc);
    Indent indent(this);
    Type(param.type);
    Expr("default", param.default_value.get());
  }

  void Type(const ast::TypeRef& type) {
    Line("type span={} name={:?} name_span={} optional={}", S(type.span), type.name,
         S(type.name_span), type.optional);
    Indent indent(this);
    for (const ast::TypeRef& arg : type.args) Type(arg);
  }

  void Setting(const ast::Setting& setting) {
    Line("setting form={} span={} name={:?} name_span={}", static_cast<int>(setting.form),
         S(setting.span), setting.name, S(setting.name_span));
    Indent indent(this);
    Expr("value", setting.value.get());
    for (const ast::Setting& child : setting.children) Setting(child);
  }

  void Body(std::string_view role, const std::vector<ast::Stmt>& body) {
    if (body.empty()) return;
    Line("{}", role);
    Indent indent(this);
    for (const ast::Stmt& stmt : body) Stmt(stmt);
  }

  void Stmt(const ast::Stmt& stmt) {
    Line(
        "stmt kind={} span={} output={:?} output_span={} loop_variable={:?} "
        "loop_span={} "
        "finally_span={} handler={:?} handler_span={} handler_interpolates={}",
        static_cast<int>(stmt.kind), S(stmt.span), stmt.output_name, S(stmt.output_name_span),
        stmt.loop_variable, S(stmt.loop_variable_span), S(stmt.finally_span), stmt.handler_name,
        S(stmt.handler_name_span), stmt.handler_name_interpolates);
    Indent indent(this);
    const ast::TaskCall& task = stmt.task;
    Line(
        "task binding={:?} binding_span={} callee={:?} callee_span={} "
        "args_span={} has_block={}",
        task.binding, S(task.binding_span), task.callee, S(task.callee_span), S(task.args_span),
        task.has_block);
    {
      Indent task_indent(this);
      for (const ast::Argument& arg : task.args) Argument(arg);
      for (const ast::Setting& setting : task.settings) Setting(setting);
    }
    Setting(stmt.setting);
    Expr("value", stmt.value.get());
    Expr("parallelism", stmt.parallelism.get());
    for (const ast::Branch& branch : stmt.branches) {
      Line("branch span={} keyword_span={}", S(branch.span), S(branch.keyword_span));
      Indent branch_indent(this);
      Expr("condition", branch.condition.get());
      Body("body", branch.body);
    }
    Body("body", stmt.body);
    Body("finally", stmt.finally_body);
  }

  void Argument(const ast::Argument& arg) {
    Line("argument span={} name={:?} name_span={}", S(arg.span), arg.name, S(arg.name_span));
    Indent indent(this);
    Expr("value", arg.value.get());
  }

  void Expr(std::string_view role, const ast::Expr* expr) {
    if (expr == nullptr) {
      Line("{} null", role);
      return;
    }
    Line(
        "{} kind={} span={} text={:?} literal={:?} text_span={} int={} "
        "out_of_range={} "
        "float={} bool={}",
        role, static_cast<int>(expr->kind), S(expr->span), expr->text, expr->literal,
        S(expr->text_span), expr->int_value, expr->out_of_range, expr->float_value,
        expr->bool_value);
    Indent indent(this);
    for (const ast::StringPart& part : expr->parts) {
      Line("part interpolation={} text={:?} span={} path={}", part.is_interpolation, part.text,
           S(part.span), fmt::join(part.path, "."));
      for (ast::Span span : part.path_spans) Line("  path_span {}", S(span));
    }
    for (const ast::ExprPtr& key : expr->keys) Expr("key", key.get());
    for (const ast::ExprPtr& item : expr->items) Expr("item", item.get());
    for (const ast::Argument& arg : expr->args) Argument(arg);
    if (expr->object != nullptr) Expr("object", expr->object.get());
    if (expr->rhs != nullptr) Expr("rhs", expr->rhs.get());
  }

  bool with_spans_;
  std::string out_;
  int depth_ = 0;
};

// The line where `a` and `b` first differ, with its number.
std::optional<std::string> FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream in_a(a), in_b(b);
  std::string line_a, line_b;
  for (size_t line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(in_a, line_a));
    bool more_b = static_cast<bool>(std::getline(in_b, line_b));
    if (!more_a && !more_b) return std::nullopt;
    if (!more_a || !more_b || line_a != line_b) {
      return fmt::format("line {}: hand-written parser `{}`, generated parser `{}`", line,
                         more_a ? line_a : "<end>", more_b ? line_b : "<end>");
    }
  }
}

}  // namespace

std::string DumpAst(const ast::File& file, bool with_spans) {
  Dumper dumper(with_spans);
  dumper.File(file);
  return dumper.Take();
}

ParserComparison CompareWithGeneratedParser(std::string_view text) {
  ParserComparison result;
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile("input.kf", std::string(text));
  diag::DiagnosticSink direct_sink, generated_sink;
  ParseOptions direct_options;
  direct_options.parsed_directly = &result.parsed_directly;
  ParseOptions generated_options;
  generated_options.generated_parser_only = true;
  std::string direct = DumpAst(Parse(sources, file, direct_sink, direct_options));
  if (!result.parsed_directly) {
    // Parse fell back to the generated parser after the same steps that a generated-only run
    // takes, so that run would repeat this one. The fuzz target saves a third of its parsing.
    result.clean = direct_sink.diagnostics().empty();
    return result;
  }
  std::string generated = DumpAst(Parse(sources, file, generated_sink, generated_options));
  result.clean = generated_sink.diagnostics().empty();
  direct += "diagnostics\n" + diag::RenderAll(sources, direct_sink.diagnostics());
  generated += "diagnostics\n" + diag::RenderAll(sources, generated_sink.diagnostics());
  result.difference = FirstDifference(direct, generated);
  return result;
}

}  // namespace kfpc::parse
