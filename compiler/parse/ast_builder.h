#pragma once

#include <string_view>
#include <vector>

#include "KfParser.h"
#include "KfParserBaseVisitor.h"
#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

// Turns the parse tree of one file into kfpc's AST. ANTLR's visitor serves only to dispatch on
// labelled alternatives: a visit method fills the node its caller put in decl_, stmt_ or
// setting_ and returns whether it is complete, or leaves an expression in expr_. A construct
// that error recovery left incomplete is dropped (its syntax error was already reported), but a
// declaration keeps every parameter, setting and statement that could be read.
class AstBuilder : private grammar::KfParserBaseVisitor {
 public:
  AstBuilder(std::string_view text, const SpanMap& spans,
             const std::vector<antlr4::Token*>& tokens, diag::DiagnosticSink& sink)
      : text_(text), spans_(spans), tokens_(tokens), sink_(sink) {}

  ast::File Build(grammar::KfParser::FileContext* file);

 private:
  using P = grammar::KfParser;

  // Declarations, parameters and types (ast_builder.cc).
  bool BuildDecl(P::DeclContext* ctx, ast::Decl* decl);
  antlrcpp::Any visitImportDecl(P::ImportDeclContext* ctx) override;
  antlrcpp::Any visitArtifactDecl(P::ArtifactDeclContext* ctx) override;
  antlrcpp::Any visitComponentDecl(P::ComponentDeclContext* ctx) override;
  antlrcpp::Any visitPipelineDecl(P::PipelineDeclContext* ctx) override;
  void BuildSignature(P::ParamListContext* params, P::OutputsContext* outputs);
  antlrcpp::Any visitSingleOutput(P::SingleOutputContext* ctx) override;
  antlrcpp::Any visitNamedOutputs(P::NamedOutputsContext* ctx) override;
  bool BuildParam(antlr4::ParserRuleContext* ctx, antlr4::ParserRuleContext* name,
                  P::TypeRefContext* type, ast::Param* param);
  bool BuildType(P::TypeRefContext* ctx, ast::TypeRef* type);
  std::string Doc(antlr4::ParserRuleContext* ctx);

  // Settings and statements (stmt_builder.cc).
  bool BuildSettings(P::SettingsBlockContext* ctx, std::vector<ast::Setting>* settings);
  bool BuildSetting(P::SettingContext* ctx, ast::Setting* setting);
  antlrcpp::Any visitAssignSetting(P::AssignSettingContext* ctx) override;
  antlrcpp::Any visitEnvSetting(P::EnvSettingContext* ctx) override;
  antlrcpp::Any visitBlockSetting(P::BlockSettingContext* ctx) override;
  bool BuildBlock(P::BlockContext* ctx, std::vector<ast::Stmt>* body);
  bool BuildStmt(P::StmtContext* ctx, ast::Stmt* stmt);
  antlrcpp::Any visitAssignStmt(P::AssignStmtContext* ctx) override;
  antlrcpp::Any visitCallStmt(P::CallStmtContext* ctx) override;
  antlrcpp::Any visitEnvStmt(P::EnvStmtContext* ctx) override;
  antlrcpp::Any visitBlockStmt(P::BlockStmtContext* ctx) override;
  antlrcpp::Any visitReturnStmt(P::ReturnStmtContext* ctx) override;
  antlrcpp::Any visitIfStmt(P::IfStmtContext* ctx) override;
  antlrcpp::Any visitForStmt(P::ForStmtContext* ctx) override;
  antlrcpp::Any visitTryStmt(P::TryStmtContext* ctx) override;
  bool BuildTask(P::IdentifierContext* callee, P::ArgumentsContext* args,
                 P::SettingsBlockContext* settings, ast::TaskCall* task);

  // Expressions and literals (expr_builder.cc).
  ast::ExprPtr BuildExpr(P::ExprContext* ctx);
  antlrcpp::Any visitMemberExpr(P::MemberExprContext* ctx) override;
  antlrcpp::Any visitNegExpr(P::NegExprContext* ctx) override;
  antlrcpp::Any visitCompareExpr(P::CompareExprContext* ctx) override;
  antlrcpp::Any visitNotExpr(P::NotExprContext* ctx) override;
  antlrcpp::Any visitAndExpr(P::AndExprContext* ctx) override;
  antlrcpp::Any visitOrExpr(P::OrExprContext* ctx) override;
  antlrcpp::Any visitLiteralExpr(P::LiteralExprContext* ctx) override;
  antlrcpp::Any visitListExpr(P::ListExprContext* ctx) override;
  antlrcpp::Any visitMapExpr(P::MapExprContext* ctx) override;
  antlrcpp::Any visitCallExpr(P::CallExprContext* ctx) override;
  antlrcpp::Any visitNameExpr(P::NameExprContext* ctx) override;
  antlrcpp::Any visitParenExpr(P::ParenExprContext* ctx) override;
  ast::ExprPtr Unary(antlr4::ParserRuleContext* ctx, antlr4::Token* op, P::ExprContext* operand);
  ast::ExprPtr Binary(antlr4::ParserRuleContext* ctx, antlr4::Token* op, P::ExprContext* left,
                      P::ExprContext* right);
  bool BuildArguments(P::ArgumentsContext* ctx, std::vector<ast::Argument>* args);
  ast::ExprPtr BuildLiteral(antlr4::Token* token);
  bool BuildStringLiteral(P::StringLiteralContext* ctx, std::string* value, diag::Span* span);
  ast::ExprPtr NewExpr(ast::ExprKind kind, antlr4::ParserRuleContext* ctx);

  // A name as written, or false when error recovery left it missing.
  bool Name(antlr4::ParserRuleContext* ctx, std::string* name, diag::Span* span);
  std::string_view Text(diag::Span span) const {
    return text_.substr(span.begin, span.end - span.begin);
  }

  std::string_view text_;
  const SpanMap& spans_;
  const std::vector<antlr4::Token*>& tokens_;  // every token, hidden ones included
  diag::DiagnosticSink& sink_;

  // Whether a visit method returned true.
  static bool Accepted(const antlrcpp::Any& result) {
    return result.is<bool>() && result.as<bool>();
  }

  // The node that the next visit method fills; it reads its slot before recursing.
  ast::Decl* decl_ = nullptr;
  ast::Stmt* stmt_ = nullptr;
  ast::Setting* setting_ = nullptr;
  ast::ExprPtr expr_;  // set by expression visit methods, taken right after accept()
};

}  // namespace kfpc::parse
