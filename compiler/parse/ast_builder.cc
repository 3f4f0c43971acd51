#include "compiler/parse/ast_builder.h"

#include "compiler/parse/doc_comment.h"

// Declarations, parameters, types and doc comments. Settings and statements are built in
// stmt_builder.cc, expressions in expr_builder.cc.

namespace kfpc::parse {

ast::File AstBuilder::Build(P::FileContext* file) {
  ast::File result;
  result.id = spans_.file();
  for (P::DeclContext* ctx : file->decl()) {
    ast::Decl decl;
    if (BuildDecl(ctx, &decl)) result.decls.push_back(std::move(decl));
  }
  return result;
}

bool AstBuilder::BuildDecl(P::DeclContext* ctx, ast::Decl* decl) {
  decl->span = spans_.Of(ctx);
  decl->doc = Doc(ctx);
  decl_ = decl;
  return Accepted(ctx->accept(this));
}

antlrcpp::Any AstBuilder::visitImportDecl(P::ImportDeclContext* ctx) {
  ast::Decl* decl = decl_;
  decl->kind = ast::DeclKind::kImport;
  return BuildStringLiteral(ctx->path, &decl->import_path, &decl->import_path_span);
}

antlrcpp::Any AstBuilder::visitArtifactDecl(P::ArtifactDeclContext* ctx) {
  ast::Decl* decl = decl_;
  decl->kind = ast::DeclKind::kArtifact;
  if (!Name(ctx->name, &decl->name, &decl->name_span)) return false;
  BuildSettings(ctx->settingsBlock(), &decl->settings);
  return true;
}

antlrcpp::Any AstBuilder::visitComponentDecl(P::ComponentDeclContext* ctx) {
  ast::Decl* decl = decl_;
  decl->kind = ast::DeclKind::kComponent;
  if (!Name(ctx->name, &decl->name, &decl->name_span)) return false;
  BuildSignature(ctx->paramList(), ctx->outputs());
  BuildSettings(ctx->settingsBlock(), &decl->settings);
  return true;
}

antlrcpp::Any AstBuilder::visitPipelineDecl(P::PipelineDeclContext* ctx) {
  ast::Decl* decl = decl_;
  decl->kind = ast::DeclKind::kPipeline;
  if (!Name(ctx->name, &decl->name, &decl->name_span)) return false;
  BuildSignature(ctx->paramList(), ctx->outputs());
  BuildBlock(ctx->body, &decl->body);
  return true;
}

// Fills the inputs and outputs of `decl_` with every parameter that could be read. A default
// with a syntax error is left out, so that the input stays declared.
void AstBuilder::BuildSignature(P::ParamListContext* params, P::OutputsContext* outputs) {
  for (P::ParamContext* ctx :
       params != nullptr ? params->param() : std::vector<P::ParamContext*>{}) {
    ast::Param param;
    if (!BuildParam(ctx, ctx->name, ctx->typeRef(), &param)) continue;
    if (ctx->defaultValue != nullptr) param.default_value = BuildExpr(ctx->defaultValue);
    decl_->inputs.push_back(std::move(param));
  }
  if (outputs != nullptr) outputs->accept(this);
}

antlrcpp::Any AstBuilder::visitSingleOutput(P::SingleOutputContext* ctx) {
  ast::Param output;
  output.name = "Output";
  if (!BuildType(ctx->typeRef(), &output.type)) return false;
  output.span = output.name_span = output.type.span;
  decl_->single_output = true;
  decl_->outputs.push_back(std::move(output));
  return true;
}

antlrcpp::Any AstBuilder::visitNamedOutputs(P::NamedOutputsContext* ctx) {
  for (P::OutputContext* output_ctx : ctx->output()) {
    ast::Param output;
    if (BuildParam(output_ctx, output_ctx->name, output_ctx->typeRef(), &output)) {
      decl_->outputs.push_back(std::move(output));
    }
  }
  return true;
}

bool AstBuilder::BuildParam(antlr4::ParserRuleContext* ctx, antlr4::ParserRuleContext* name,
                            P::TypeRefContext* type, ast::Param* param) {
  param->span = spans_.Of(ctx);
  param->doc = Doc(ctx);
  return ctx->exception == nullptr && Name(name, &param->name, &param->name_span) &&
         BuildType(type, &param->type);
}

bool AstBuilder::BuildType(P::TypeRefContext* ctx, ast::TypeRef* type) {
  if (ctx == nullptr || ctx->exception != nullptr) return false;
  type->span = spans_.Of(ctx);
  type->optional = ctx->QUESTION() != nullptr;
  for (P::TypeRefContext* arg : ctx->typeRef()) {
    if (!BuildType(arg, &type->args.emplace_back())) return false;
  }
  return Name(ctx->name, &type->name, &type->name_span);
}

std::string AstBuilder::Doc(antlr4::ParserRuleContext* ctx) {
  return DocCommentBefore(tokens_, ctx->getStart()->getTokenIndex(), text_, spans_);
}

bool AstBuilder::Name(antlr4::ParserRuleContext* ctx, std::string* name, diag::Span* span) {
  if (ctx == nullptr || ctx->exception != nullptr ||
      ctx->getStart()->getTokenIndex() == INVALID_INDEX) {
    return false;
  }
  *span = spans_.Of(ctx);
  *name = std::string(Text(*span));
  return !name->empty();
}

}  // namespace kfpc::parse
