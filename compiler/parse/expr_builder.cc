#include "compiler/parse/ast_builder.h"
#include "compiler/parse/literal.h"

// Expressions, arguments and literals.

namespace kfpc::parse {

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
  return parse::BuildLiteral(token->getType(), spans_.Of(token), text_, sink_);
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
