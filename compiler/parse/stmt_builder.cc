#include "compiler/parse/ast_builder.h"

// Settings and pipeline statements.

namespace kfpc::parse {

// Keeps the settings read before a syntax error in the block, even if the block is not closed.
bool AstBuilder::BuildSettings(P::SettingsBlockContext* ctx, std::vector<ast::Setting>* settings) {
  if (ctx == nullptr) return false;
  for (P::SettingContext* setting_ctx : ctx->setting()) {
    ast::Setting setting;
    if (BuildSetting(setting_ctx, &setting)) settings->push_back(std::move(setting));
  }
  return true;
}

bool AstBuilder::BuildSetting(P::SettingContext* ctx, ast::Setting* setting) {
  setting->span = spans_.Of(ctx);
  setting_ = setting;
  return Accepted(ctx->accept(this));
}

antlrcpp::Any AstBuilder::visitAssignSetting(P::AssignSettingContext* ctx) {
  ast::Setting* setting = setting_;
  setting->form = ast::Setting::Form::kAssign;
  if (!Name(ctx->name, &setting->name, &setting->name_span)) return false;
  setting->value = BuildExpr(ctx->expr());
  return setting->value != nullptr;
}

antlrcpp::Any AstBuilder::visitEnvSetting(P::EnvSettingContext* ctx) {
  ast::Setting* setting = setting_;
  setting->form = ast::Setting::Form::kEnv;
  if (!Name(ctx->name, &setting->name, &setting->name_span)) return false;
  setting->value = BuildExpr(ctx->expr());
  return setting->value != nullptr;
}

antlrcpp::Any AstBuilder::visitBlockSetting(P::BlockSettingContext* ctx) {
  ast::Setting* setting = setting_;
  setting->form = ast::Setting::Form::kBlock;
  return Name(ctx->name, &setting->name, &setting->name_span) &&
         BuildSettings(ctx->settingsBlock(), &setting->children);
}

// Keeps the statements read before a syntax error in the block, even if the block is not closed.
bool AstBuilder::BuildBlock(P::BlockContext* ctx, std::vector<ast::Stmt>* body) {
  if (ctx == nullptr) return false;
  for (P::StmtContext* stmt_ctx : ctx->stmt()) {
    ast::Stmt stmt;
    if (BuildStmt(stmt_ctx, &stmt)) body->push_back(std::move(stmt));
  }
  return true;
}

bool AstBuilder::BuildStmt(P::StmtContext* ctx, ast::Stmt* stmt) {
  stmt->span = spans_.Of(ctx);
  stmt_ = stmt;
  return Accepted(ctx->accept(this));
}

// `name = callee(...) { settings }` is a task; `name = value` a pipeline setting.
antlrcpp::Any AstBuilder::visitAssignStmt(P::AssignStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  if (auto* call = dynamic_cast<P::CallExprContext*>(ctx->expr())) {
    stmt->kind = ast::StmtKind::kTask;
    return Name(ctx->name, &stmt->task.binding, &stmt->task.binding_span) &&
           BuildTask(call->callee, call->arguments(), ctx->settingsBlock(), &stmt->task);
  }
  stmt->kind = ast::StmtKind::kSetting;
  ast::Setting& setting = stmt->setting;
  setting.span = stmt->span;
  if (!Name(ctx->name, &setting.name, &setting.name_span)) return false;
  if (P::SettingsBlockContext* block = ctx->settingsBlock()) {
    sink_
        .Report(diag::Kind::kSyntaxError, spans_.Of(block->getStart()),
                "unexpected `{` after the value of `" + setting.name + "`")
        .help = "only a task, `name = component(...)`, takes a block of settings";
    return false;
  }
  setting.value = BuildExpr(ctx->expr());
  return setting.value != nullptr;
}

antlrcpp::Any AstBuilder::visitCallStmt(P::CallStmtContext* ctx) {
  stmt_->kind = ast::StmtKind::kTask;
  return BuildTask(ctx->callee, ctx->arguments(), ctx->settingsBlock(), &stmt_->task);
}

bool AstBuilder::BuildTask(P::IdentifierContext* callee, P::ArgumentsContext* args,
                           P::SettingsBlockContext* settings, ast::TaskCall* task) {
  if (!Name(callee, &task->callee, &task->callee_span)) return false;
  if (args == nullptr || !BuildArguments(args, &task->args)) return false;
  task->args_span = spans_.Of(args);
  task->has_block = settings != nullptr;
  return settings == nullptr || BuildSettings(settings, &task->settings);
}

antlrcpp::Any AstBuilder::visitEnvStmt(P::EnvStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  stmt->kind = ast::StmtKind::kSetting;
  ast::Setting& setting = stmt->setting;
  setting.form = ast::Setting::Form::kEnv;
  setting.span = stmt->span;
  if (!Name(ctx->name, &setting.name, &setting.name_span)) return false;
  setting.value = BuildExpr(ctx->expr());
  return setting.value != nullptr;
}

antlrcpp::Any AstBuilder::visitBlockStmt(P::BlockStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  stmt->kind = ast::StmtKind::kSetting;
  ast::Setting& setting = stmt->setting;
  setting.form = ast::Setting::Form::kBlock;
  setting.span = stmt->span;
  return Name(ctx->name, &setting.name, &setting.name_span) &&
         BuildSettings(ctx->settingsBlock(), &setting.children);
}

antlrcpp::Any AstBuilder::visitReturnStmt(P::ReturnStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  stmt->kind = ast::StmtKind::kReturn;
  if (ctx->name != nullptr && !Name(ctx->name, &stmt->output_name, &stmt->output_name_span)) {
    return false;
  }
  stmt->value = BuildExpr(ctx->expr());
  return stmt->value != nullptr;
}

// IF cond block (ELSE IF cond block)* (ELSE block)?: branch i has condition i when there is one.
antlrcpp::Any AstBuilder::visitIfStmt(P::IfStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  stmt->kind = ast::StmtKind::kIf;
  std::vector<P::ExprContext*> conditions = ctx->expr();
  std::vector<P::BlockContext*> blocks = ctx->block();
  std::vector<antlr4::tree::TerminalNode*> ifs = ctx->IF(), elses = ctx->ELSE();
  if (ctx->exception != nullptr || conditions.size() != ifs.size() || blocks.empty() ||
      blocks.size() != elses.size() + 1 || blocks.size() > conditions.size() + 1) {
    return false;
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    ast::Branch& branch = stmt->branches.emplace_back();
    diag::Span first = spans_.Of(i == 0 ? ifs[0]->getSymbol() : elses[i - 1]->getSymbol());
    diag::Span last = i < conditions.size() ? spans_.Of(ifs[i]->getSymbol()) : first;
    branch.keyword_span = spans_.Between(first, last);
    branch.span = spans_.Between(first, spans_.Of(blocks[i]));
    if (i < conditions.size()) {
      branch.condition = BuildExpr(conditions[i]);
      if (branch.condition == nullptr) return false;
    }
    if (!BuildBlock(blocks[i], &branch.body)) return false;
  }
  return true;
}

antlrcpp::Any AstBuilder::visitForStmt(P::ForStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  stmt->kind = ast::StmtKind::kFor;
  std::vector<P::ExprContext*> exprs = ctx->expr();
  size_t expected = ctx->PARALLELISM() != nullptr ? 2 : 1;
  if (ctx->exception != nullptr || exprs.size() != expected ||
      !Name(ctx->var, &stmt->loop_variable, &stmt->loop_variable_span)) {
    return false;
  }
  stmt->value = BuildExpr(exprs[0]);
  if (expected == 2) stmt->parallelism = BuildExpr(exprs[1]);
  return stmt->value != nullptr && (expected == 1 || stmt->parallelism != nullptr) &&
         BuildBlock(ctx->block(), &stmt->body);
}

antlrcpp::Any AstBuilder::visitTryStmt(P::TryStmtContext* ctx) {
  ast::Stmt* stmt = stmt_;
  stmt->kind = ast::StmtKind::kTry;
  if (ctx->exception != nullptr || ctx->block().size() != 2 || ctx->FINALLY() == nullptr) {
    return false;
  }
  stmt->finally_span = spans_.Of(ctx->FINALLY()->getSymbol());
  if (ctx->name != nullptr) {
    if (ctx->name->exception != nullptr) return false;
    ast::ExprPtr name = BuildLiteral(ctx->name->value);
    if (name == nullptr) return false;
    stmt->handler_name = std::move(name->text);
    stmt->handler_name_span = name->span;
    for (const ast::StringPart& part : name->parts) {
      stmt->handler_name_interpolates |= part.is_interpolation;
    }
  }
  return BuildBlock(ctx->block(0), &stmt->body) && BuildBlock(ctx->block(1), &stmt->finally_body);
}

}  // namespace kfpc::parse
