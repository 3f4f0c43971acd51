// Comparisons in `if` conditions. kfpc is stricter than the KFP SDK here: the SDK compares a
// string with a number by quoting the number, and a bool with a number as they are, which rarely
// means what the author meant. kfpc reports both, and its help line shows the explicit conversion.

#include "compiler/check/condition_flow.h"

#include <regex>

#include "compiler/check/types.h"

namespace kfpc::check {
namespace {

using sema::ParamType;

// The text of `expr` as written in the source.
std::string SourceText(const Context& context, const ast::Expr& expr) {
  const std::string& contents = context.sources.contents(expr.span.file);
  if (expr.span.end > contents.size() || expr.span.begin > expr.span.end) return expr.text;
  return contents.substr(expr.span.begin, expr.span.end - expr.span.begin);
}

bool IsNumber(ParamType type) { return type == ParamType::kInt || type == ParamType::kFloat; }

std::string TypeName(ParamType type) { return ParamTypeOf(type).ToString(); }

ParamType EffectiveType(const ComparisonSide& side) {
  return side.conversion ? *side.conversion : side.value->type.param;
}

// Whether `text` is a number literal of the language, such as `10`, `-0.9` or `1e-3`.
bool IsNumberLiteral(const std::string& text) {
  static const std::regex kNumber(R"(-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  return std::regex_match(text, kNumber);
}

bool IsOrdering(const std::string& op) { return op == "<" || op == "<=" || op == ">" || op == ">="; }

// The help line for comparing a string with a number: convert the side that is not a constant.
// For an ordering, a string literal that contains a number becomes that number, because strings
// order character by character ("10.0" < "9"). The written order of the sides is kept.
std::string NumberHelp(const Context& context, const ComparisonSide& text_side,
                       const ComparisonSide& number_side, const std::string& op,
                       bool text_on_left) {
  ParamType number = EffectiveType(number_side);
  std::string text = SourceText(context, *text_side.expr);
  std::string other = SourceText(context, *number_side.expr);
  auto ordered = [&](const std::string& text_part, const std::string& number_part) {
    return text_on_left ? text_part + " " + op + " " + number_part
                        : number_part + " " + op + " " + text_part;
  };
  if (text_side.value->kind != sema::ValueRef::Kind::kConstant) {
    std::string function = number == ParamType::kInt ? "int" : "float";
    return "convert the string to a number: `" + ordered(function + "(" + text + ")", other) + "`";
  }
  const std::string* literal = std::get_if<std::string>(&text_side.value->constant.value);
  if (literal && IsOrdering(op) && IsNumberLiteral(*literal)) {
    return "compare with the number, since strings order character by character: `" +
           ordered(*literal, other) + "`";
  }
  return "convert the number to a string: `" + ordered(text, "string(" + other + ")") + "`";
}

// Reports comparing values of different types with a help line that shows the conversion.
void ReportMismatch(Context& context, const ast::Expr& expr, const std::string& op,
                    const ComparisonSide& left, const ComparisonSide& right) {
  ParamType left_type = EffectiveType(left);
  ParamType right_type = EffectiveType(right);
  diag::Diagnostic& d = context.Report(
      diag::Kind::kInvalidCondition, expr.span,
      "cannot compare `" + TypeName(left_type) + "` with `" + TypeName(right_type) + "`");
  if (left_type == ParamType::kString && IsNumber(right_type)) {
    d.help = NumberHelp(context, left, right, op, /*text_on_left=*/true);
  } else if (right_type == ParamType::kString && IsNumber(left_type)) {
    d.help = NumberHelp(context, right, left, op, /*text_on_left=*/false);
  } else {
    const ComparisonSide& flag = left_type == ParamType::kBool ? left : right;
    d.help = "compare `" + SourceText(context, *flag.expr) + "` with `true` or `false`, or " +
             "convert one side with `int(...)`, `float(...)` or `string(...)`";
  }
}

}  // namespace

std::optional<sema::ParamType> ConversionTarget(const std::string& name) {
  if (name == "int") return ParamType::kInt;
  if (name == "float") return ParamType::kFloat;
  if (name == "string") return ParamType::kString;
  return std::nullopt;
}

bool CheckConversionCall(Context& context, const ast::Expr& call) {
  if (call.args.size() != 1 || !call.args[0].name.empty() || !call.args[0].value) {
    context.Report(diag::Kind::kInvalidConversion, call.span,
                   "`" + call.text + "(...)` converts one value, found " +
                       std::to_string(call.args.size()) + " arguments")
        .help = "write `" + call.text + "(task.output)`";
    return false;
  }
  const ast::Expr& value = *call.args[0].value;
  if (IsConstant(value)) {
    context.Report(diag::Kind::kInvalidConversion, call.span,
                   "`" + call.text + "(...)` converts " + DescribeExpr(value) +
                       " constant, which is known when the pipeline is compiled")
        .help = "write the constant with the type you need, such as `3` or `\"3\"`";
    return false;
  }
  return true;
}

bool CheckConversionSource(Context& context, const ast::Expr& call, const sema::Type& source,
                           bool typed) {
  if (!typed) return true;
  if (!source.is_artifact &&
      (IsNumber(source.param) || source.param == ParamType::kString ||
       source.param == ParamType::kBool)) {
    return true;
  }
  context.Report(diag::Kind::kInvalidConversion, call.span,
                 "`" + call.text + "(...)` cannot convert a value of type `" + source.ToString() +
                     "`")
      .help = "convert a string, a number or a bool";
  return false;
}

bool CheckComparison(Context& context, const ast::Expr& expr, const std::string& op,
                     const ComparisonSide& left, const ComparisonSide& right) {
  using Kind = sema::ValueRef::Kind;
  if (left.value->kind == Kind::kConstant && right.value->kind == Kind::kConstant) {
    context.Report(diag::Kind::kInvalidCondition, expr.span,
                   "the condition compares two constants, so it is known when the pipeline is "
                   "compiled")
        .help = "compare a pipeline input, a task output or a loop item";
    return false;
  }
  for (const ComparisonSide* side : {&left, &right}) {
    ParamType type = EffectiveType(*side);
    if (!side->typed || side->conversion || IsNumber(type) || type == ParamType::kString ||
        type == ParamType::kBool) {
      continue;
    }
    context.Report(diag::Kind::kInvalidCondition, side->expr->span,
                   "a condition cannot compare a value of type `" + side->value->type.ToString() +
                       "`")
        .help = "compare strings, numbers or booleans";
    return false;
  }
  // A value of unknown type compares as a string, as in the SDK. Against a number or a boolean
  // that would compare text with a CEL expression, so the type must be written.
  if (!left.typed || !right.typed) {
    const ComparisonSide& unknown = left.typed ? right : left;
    const ComparisonSide& known = left.typed ? left : right;
    ParamType known_type = EffectiveType(known);
    if (!known.typed || unknown.conversion || known_type == ParamType::kString) return true;
    diag::Diagnostic& d = context.Report(diag::Kind::kInvalidCondition, unknown.expr->span,
                                         "the type of `" + SourceText(context, *unknown.expr) +
                                             "` is not known, so it cannot be "
                                             "compared with `" +
                                             TypeName(known_type) + "`");
    d.notes.push_back(
        "a value of unknown type, such as an item of a `list` without an element "
        "type, is compared as a string");
    std::string conversion = known_type == ParamType::kFloat ? "float" : "int";
    d.help = known_type == ParamType::kBool
                 ? "declare the element type of the list, such as `list<bool>`"
                 : "convert it: `" + conversion + "(" + SourceText(context, *unknown.expr) +
                       ")`, or declare the element type of the list";
    return false;
  }
  ParamType left_type = EffectiveType(left);
  ParamType right_type = EffectiveType(right);
  bool same = left_type == right_type || (IsNumber(left_type) && IsNumber(right_type));
  if (!same) {
    ReportMismatch(context, expr, op, left, right);
    return false;
  }
  if (left_type == ParamType::kBool && op != "==" && op != "!=") {
    context.Report(diag::Kind::kInvalidCondition, expr.text_span,
                   "`" + op + "` does not order booleans")
        .help = "compare booleans with `==` or `!=`";
    return false;
  }
  return true;
}

}  // namespace kfpc::check
