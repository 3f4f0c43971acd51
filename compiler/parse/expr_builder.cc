#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include "KfLexer.h"
#include "compiler/parse/ast_builder.h"
#include "compiler/parse/string_literal.h"

// Expressions, arguments and literals.

namespace kfpc::parse {

using grammar::KfLexer;

ast::ExprPtr AstBuilder::BuildExpr(P::ExprContext* ctx) {
  if (ctx == nullptr || ctx->exception != nullptr) return nullptr;
  expr_ = nullptr;
  ctx->accept(this);
  return std::move(expr_);
}

ast::ExprPtr AstBuilder::NewExpr(ast::ExprKind kind, antlr4::ParserRuleContext* ctx) {
  auto expr = std::make_unique<ast::Expr>();
  expr->kind = kind;
  expr->span = spans_.Of(ctx);
  return expr;
}

antlrcpp::Any AstBuilder::visitMemberExpr(P::MemberExprContext* ctx) {
  ast::ExprPtr expr = NewExpr(ast::ExprKind::kMember, ctx);
  expr->object = BuildExpr(ctx->expr());
  if (expr->object != nullptr && Name(ctx->name, &expr->text, &expr->text_span)) {
    expr_ = std::move(expr);
  }
  return {};
}

antlrcpp::Any AstBuilder::visitNegExpr(P::NegExprContext* ctx) {
  expr_ = Unary(ctx, ctx->MINUS()->getSymbol(), ctx->expr());
  return {};
}

antlrcpp::Any AstBuilder::visitNotExpr(P::NotExprContext* ctx) {
  expr_ = Unary(ctx, ctx->NOT()->getSymbol(), ctx->expr());
  return {};
}

antlrcpp::Any AstBuilder::visitCompareExpr(P::CompareExprContext* ctx) {
  expr_ = Binary(ctx, ctx->op, ctx->expr(0), ctx->expr(1));
  return {};
}

antlrcpp::Any AstBuilder::visitAndExpr(P::AndExprContext* ctx) {
  expr_ = Binary(ctx, ctx->AND()->getSymbol(), ctx->expr(0), ctx->expr(1));
  return {};
}

antlrcpp::Any AstBuilder::visitOrExpr(P::OrExprContext* ctx) {
  expr_ = Binary(ctx, ctx->OR()->getSymbol(), ctx->expr(0), ctx->expr(1));
  return {};
}

ast::ExprPtr AstBuilder::Unary(antlr4::ParserRuleContext* ctx, antlr4::Token* op,
                               P::ExprContext* operand) {
  ast::ExprPtr expr = NewExpr(ast::ExprKind::kUnary, ctx);
  expr->text_span = spans_.Of(op);
  expr->text = std::string(Text(expr->text_span));
  expr->object = BuildExpr(operand);
  return expr->object != nullptr ? std::move(expr) : nullptr;
}

ast::ExprPtr AstBuilder::Binary(antlr4::ParserRuleContext* ctx, antlr4::Token* op,
                                P::ExprContext* left, P::ExprContext* right) {
  ast::ExprPtr expr = NewExpr(ast::ExprKind::kBinary, ctx);
  expr->text_span = spans_.Of(op);
  expr->text = std::string(Text(expr->text_span));
  expr->object = BuildExpr(left);
  if (expr->object == nullptr) return nullptr;
  expr->rhs = BuildExpr(right);
  return expr->rhs != nullptr ? std::move(expr) : nullptr;
}

antlrcpp::Any AstBuilder::visitLiteralExpr(P::LiteralExprContext* ctx) {
  P::LiteralContext* literal = ctx->literal();
  if (literal != nullptr && literal->exception == nullptr) expr_ = BuildLiteral(literal->value);
  return {};
}

antlrcpp::Any AstBuilder::visitListExpr(P::ListExprContext* ctx) {
  ast::ExprPtr list = NewExpr(ast::ExprKind::kList, ctx);
  for (P::ExprContext* item : ctx->expr()) {
    list->items.push_back(BuildExpr(item));
    if (list->items.back() == nullptr) return {};
  }
  expr_ = std::move(list);
  return {};
}

antlrcpp::Any AstBuilder::visitMapExpr(P::MapExprContext* ctx) {
  ast::ExprPtr map = NewExpr(ast::ExprKind::kMap, ctx);
  for (P::MapEntryContext* entry : ctx->mapEntry()) {
    if (entry->exception != nullptr) return {};
    map->keys.push_back(BuildExpr(entry->key));
    map->items.push_back(BuildExpr(entry->value));
    if (map->keys.back() == nullptr || map->items.back() == nullptr) return {};
  }
  expr_ = std::move(map);
  return {};
}

antlrcpp::Any AstBuilder::visitCallExpr(P::CallExprContext* ctx) {
  ast::ExprPtr call = NewExpr(ast::ExprKind::kCall, ctx);
  if (Name(ctx->callee, &call->text, &call->text_span) &&
      BuildArguments(ctx->arguments(), &call->args)) {
    expr_ = std::move(call);
  }
  return {};
}

antlrcpp::Any AstBuilder::visitNameExpr(P::NameExprContext* ctx) {
  ast::ExprPtr name = NewExpr(ast::ExprKind::kName, ctx);
  if (Name(ctx->anyName(), &name->text, &name->text_span)) expr_ = std::move(name);
  return {};
}

antlrcpp::Any AstBuilder::visitParenExpr(P::ParenExprContext* ctx) {
  expr_ = BuildExpr(ctx->expr());
  return {};
}

bool AstBuilder::BuildArguments(P::ArgumentsContext* ctx, std::vector<ast::Argument>* args) {
  if (ctx == nullptr || ctx->exception != nullptr) return false;
  for (P::ArgumentContext* arg_ctx : ctx->argument()) {
    if (arg_ctx->exception != nullptr) return false;
    ast::Argument& arg = args->emplace_back();
    arg.span = spans_.Of(arg_ctx);
    if (P::ArgumentNameContext* name = arg_ctx->name) {
      if (name->exception != nullptr) return false;
      arg.name_span = spans_.Of(name);
      arg.name = std::string(Text(arg.name_span));
    }
    arg.value = BuildExpr(arg_ctx->expr());
    if (arg.value == nullptr) return false;
  }
  return true;
}

ast::ExprPtr AstBuilder::BuildLiteral(antlr4::Token* token) {
  if (token == nullptr || token->getTokenIndex() == INVALID_INDEX) return nullptr;  // conjured
  auto expr = std::make_unique<ast::Expr>();
  expr->span = expr->text_span = spans_.Of(token);
  std::string_view text = Text(expr->span);
  diag::Span content = expr->span;
  switch (token->getType()) {
    case KfLexer::STRING:
    case KfLexer::UNTERMINATED_STRING: {
      bool closed = token->getType() == KfLexer::STRING;
      content.begin += 1;
      content.end -= closed ? 1 : 0;
      DecodedString decoded = DecodeString(Text(content), content, sink_);
      expr->kind = ast::ExprKind::kString;
      expr->text = std::move(decoded.value);
      expr->parts = std::move(decoded.parts);
      return expr;
    }
    case KfLexer::RAW_STRING:
    case KfLexer::UNTERMINATED_RAW_STRING: {
      // The delimiters are `"""` or, in the hashed form, `#"""` and `"""#`.
      uint32_t delimiter = text.starts_with('#') ? 4 : 3;
      content.begin += delimiter;
      if (token->getType() == KfLexer::RAW_STRING) content.end -= delimiter;
      expr->kind = ast::ExprKind::kRawString;
      expr->text = DecodeRawString(Text(content), &content);
      // The source bytes rather than the value, whose line breaks may be shorter.
      CheckRawStringPlaceholders(Text(content), content, sink_);
      ast::StringPart& part = expr->parts.emplace_back();
      part.text = expr->text;
      part.span = content;
      return expr;
    }
    case KfLexer::INT:
    case KfLexer::FLOAT:
      return BuildNumber(token, std::move(expr));
    case KfLexer::TRUE:
    case KfLexer::FALSE:
      expr->kind = ast::ExprKind::kBool;
      expr->bool_value = token->getType() == KfLexer::TRUE;
      expr->text = std::string(text);
      return expr;
    case KfLexer::NONE:
      expr->kind = ast::ExprKind::kNone;
      expr->text = std::string(text);
      return expr;
    default:  // BAD_NUMBER: already reported
      return nullptr;
  }
}

ast::ExprPtr AstBuilder::BuildNumber(antlr4::Token* token, ast::ExprPtr expr) {
  expr->literal = std::string(Text(expr->span));
  const char* begin = expr->literal.data();
  const char* end = begin + expr->literal.size();
  bool is_int = token->getType() == KfLexer::INT;
  std::from_chars_result parsed = is_int ? std::from_chars(begin, end, expr->int_value)
                                         : std::from_chars(begin, end, expr->float_value);
  expr->kind = is_int ? ast::ExprKind::kInt : ast::ExprKind::kFloat;
  if (parsed.ec == std::errc() && parsed.ptr == end && std::isfinite(expr->float_value))
    return expr;
  if (is_int && parsed.ec == std::errc::result_out_of_range) {
    // The tree stays whole, so the checker still reports the other errors of the declaration.
    // The message gives the 2^53 limit of every integer constant, since the IR stores doubles.
    expr->int_value = expr->literal[0] == '-' ? std::numeric_limits<int64_t>::min()
                                              : std::numeric_limits<int64_t>::max();
    expr->out_of_range = true;
    sink_.Report(diag::Kind::kInvalidValue, expr->span,
                 fmt::format("integer `{}` is outside the range -2^53 to 2^53 that the IR stores "
                             "exactly",
                             expr->literal))
        .help = "KFP stores numbers as 64-bit floating point, which represents integers exactly "
                "only up to 2^53 (9007199254740992); pass a larger value as a `string`";
    return expr;
  }
  // from_chars reports underflow as out of range too; strtod distinguishes it by returning a value
  // near zero rather than infinity.
  if (!is_int && parsed.ec == std::errc::result_out_of_range &&
      std::fabs(std::strtod(expr->literal.c_str(), nullptr)) < 1.0) {
    sink_.Report(diag::Kind::kInvalidNumber, expr->span,
                 fmt::format("float `{}` is too close to zero to represent", expr->literal))
        .help = "the smallest nonzero float is about 4.9e-324; write `0.0` if zero is meant";
    return nullptr;
  }
  diag::Diagnostic& d = sink_.Report(
      diag::Kind::kInvalidNumber, expr->span,
      fmt::format("{} `{}` is out of range", is_int ? "integer" : "float", expr->literal));
  d.help = is_int ? "an integer must be between -9223372036854775808 and 9223372036854775807"
                  : "a float must be between about -1.8e308 and 1.8e308";
  return nullptr;
}

bool AstBuilder::BuildStringLiteral(P::StringLiteralContext* ctx, std::string* value,
                                    diag::Span* span) {
  if (ctx == nullptr || ctx->exception != nullptr) return false;
  ast::ExprPtr expr = BuildLiteral(ctx->value);
  if (expr == nullptr) return false;
  *value = std::move(expr->text);
  *span = expr->span;
  return true;
}

}  // namespace kfpc::parse
