#include "compiler/format/printer.h"

// Expressions, types, parameters and the bracketed lists that break one element per line.

namespace kfpc::format {

namespace {

constexpr int kIndent = 2;

// Binding strength of an expression, from the grammar's precedence: `or` binds loosest, then
// `and`, `not`, comparisons, unary `-`, and member access with the primary expressions.
int Precedence(const ast::Expr& expr) {
  if (expr.kind == ast::ExprKind::kBinary) {
    if (expr.text == "or") return 1;
    if (expr.text == "and") return 2;
    return 4;
  }
  if (expr.kind == ast::ExprKind::kUnary) return expr.text == "not" ? 3 : 5;
  return 6;
}

// The strings that `element` returns for 0 to count - 1, separated by ", ".
template <typename Element>
std::string Join(size_t count, Element element) {
  std::string result;
  for (size_t i = 0; i < count; ++i) result += (i > 0 ? ", " : "") + element(i);
  return result;
}

}  // namespace

// Prints `expr` on the current line when it fits there with `suffix` more columns and contains
// no comment. Otherwise breaks its outermost list, map or call one element per line.
void Printer::PrintExpr(const ast::Expr& expr, int indent, size_t suffix) {
  std::vector<GroupItem> items;
  switch (expr.kind) {
    case ast::ExprKind::kList:
      for (const ast::ExprPtr& item : expr.items) {
        const ast::Expr* element = item.get();
        items.push_back({element->span.begin, element->span.end, Flat(*element),
                         [this, element](int inner) { PrintExpr(*element, inner, 1); }});
      }
      PrintGroup("[", "]", expr.span.begin, items, indent, suffix);
      return;
    case ast::ExprKind::kMap:
      for (size_t i = 0; i < expr.items.size(); ++i) {
        const ast::Expr* key = expr.keys[i].get();
        const ast::Expr* value = expr.items[i].get();
        items.push_back({key->span.begin, value->span.end, Flat(*key) + ": " + Flat(*value),
                         [this, key, value](int inner) {
                           out_ += Flat(*key) + ": ";
                           PrintExpr(*value, inner, 1);
                         }});
      }
      PrintGroup("{", "}", expr.span.begin, items, indent, suffix);
      return;
    case ast::ExprKind::kCall:
      out_ += expr.text;
      PrintGroup("(", ")", tokens_.FindSymbol(expr.text_span.end, "(", expr.span.begin),
                 ArgumentItems(expr.args), indent, suffix);
      return;
    default:
      out_ += Flat(expr);
      return;
  }
}

std::string Printer::Flat(const ast::Expr& expr) const {
  switch (expr.kind) {
    case ast::ExprKind::kString:
    case ast::ExprKind::kRawString:
    case ast::ExprKind::kInt:
    case ast::ExprKind::kFloat:
    case ast::ExprKind::kBool:
    case ast::ExprKind::kNone:
      return std::string(Source(expr.span));  // as written: escapes are never rewritten
    case ast::ExprKind::kName:
      return expr.text;
    case ast::ExprKind::kMember:
      return FlatOperand(*expr.object, Precedence(expr)) + "." + expr.text;
    case ast::ExprKind::kUnary: {
      std::string operand = FlatOperand(*expr.object, Precedence(expr));
      if (expr.text == "not") return "not " + operand;
      // `-1` would lex as one number, which is a different tree from `-` applied to `1`.
      bool digit = !operand.empty() && operand[0] >= '0' && operand[0] <= '9';
      return (digit ? "- " : "-") + operand;
    }
    case ast::ExprKind::kBinary:
      // Operators associate to the left, so an operand on the right of equal strength needs
      // parentheses.
      return FlatOperand(*expr.object, Precedence(expr)) + " " + expr.text + " " +
             FlatOperand(*expr.rhs, Precedence(expr) + 1);
    case ast::ExprKind::kList:
      return "[" + Join(expr.items.size(), [&](size_t i) { return Flat(*expr.items[i]); }) + "]";
    case ast::ExprKind::kMap:
      return "{" + Join(expr.items.size(), [&](size_t i) {
               return Flat(*expr.keys[i]) + ": " + Flat(*expr.items[i]);
             }) + "}";
    case ast::ExprKind::kCall:
      return expr.text + "(" + Join(expr.args.size(), [&](size_t i) {
               const ast::Argument& arg = expr.args[i];
               return (arg.name.empty() ? "" : arg.name + " = ") + Flat(*arg.value);
             }) + ")";
  }
  return "";
}

// `operand` in parentheses when it binds looser than `min_precedence`. The tree does not record
// the parentheses of the source, so only the ones the grammar needs are printed.
std::string Printer::FlatOperand(const ast::Expr& operand, int min_precedence) const {
  std::string flat = Flat(operand);
  return Precedence(operand) < min_precedence ? "(" + flat + ")" : flat;
}

std::string Printer::FlatType(const ast::TypeRef& type) const {
  std::string result = type.name;
  if (!type.args.empty()) {
    result += '<';
    for (size_t i = 0; i < type.args.size(); ++i) {
      result += (i > 0 ? ", " : "") + FlatType(type.args[i]);
    }
    result += '>';
  }
  if (type.optional) result += '?';
  return result;
}

std::string Printer::FlatParam(const ast::Param& param) const {
  std::string result = param.name + ": " + FlatType(param.type);
  if (param.default_value != nullptr) result += " = " + Flat(*param.default_value);
  return result;
}

std::vector<Printer::GroupItem> Printer::ArgumentItems(const std::vector<ast::Argument>& args) {
  std::vector<GroupItem> items;
  for (const ast::Argument& arg : args) {
    std::string name = arg.name.empty() ? "" : arg.name + " = ";
    const ast::Expr* value = arg.value.get();
    items.push_back({arg.span.begin, arg.span.end, name + Flat(*value),
                     [this, name, value](int inner) {
                       out_ += name;
                       PrintExpr(*value, inner, 1);
                     }});
  }
  return items;
}

std::vector<Printer::GroupItem> Printer::ParamItems(const std::vector<ast::Param>& params) {
  std::vector<GroupItem> items;
  for (const ast::Param& param : params) {
    const ast::Param* p = &param;
    items.push_back({param.span.begin, param.span.end, FlatParam(param), [this, p](int inner) {
                       out_ += p->name + ": " + FlatType(p->type);
                       if (p->default_value == nullptr) return;
                       out_ += " = ";
                       PrintExpr(*p->default_value, inner, 1);
                     }});
  }
  return items;
}

// Prints `open`, the items and `close`. They stay on the current line when they fit there with
// `suffix` more columns and no comment falls between the brackets. Otherwise each item goes on
// its own line, one level deeper than `indent`, followed by a comma. `open_at` is the offset of
// the opening bracket in the source.
void Printer::PrintGroup(std::string_view open, std::string_view close, uint32_t open_at,
                         const std::vector<GroupItem>& items, int indent, size_t suffix) {
  uint32_t close_at = tokens_.MatchingClose(open_at);
  std::string flat(open);
  for (size_t i = 0; i < items.size(); ++i) flat += (i > 0 ? ", " : "") + items[i].flat;
  flat += close;
  if (!tokens_.HasCommentIn(open_at, close_at) && Fits(flat, suffix)) {
    out_ += flat;
    last_end_ = std::max(last_end_, close_at + 1);
    return;
  }
  out_ += open;
  block_start_ = true;
  last_end_ = open_at + 1;
  EndLine(open_at + 1, items.empty() ? close_at : items[0].begin);
  bool has_content = last_end_ > open_at + 1 || !items.empty();
  for (size_t i = 0; i < items.size(); ++i) {
    StartLine(indent + kIndent, items[i].begin);
    items[i].print(indent + kIndent);
    out_ += ',';
    EndLine(items[i].end, i + 1 < items.size() ? items[i + 1].begin : close_at);
  }
  Close(indent, close_at, close, has_content);
}

}  // namespace kfpc::format
