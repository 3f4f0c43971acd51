#include "compiler/parse/limits.h"

#include <fmt/format.h>

#include "KfLexer.h"
#include "compiler/parse/syntax_errors.h"

namespace kfpc::parse {

namespace {

bool IsStringToken(size_t type) {
  using grammar::KfLexer;
  return type == KfLexer::STRING || type == KfLexer::UNTERMINATED_STRING ||
         type == KfLexer::RAW_STRING || type == KfLexer::UNTERMINATED_RAW_STRING;
}

// Counts the task calls in `body`, those inside groups included. The recursion is as deep as the
// nesting, which CheckNesting bounds.
size_t CountTasks(const std::vector<ast::Stmt>& body) {
  size_t count = 0;
  for (const ast::Stmt& stmt : body) {
    switch (stmt.kind) {
      case ast::StmtKind::kTask:
        ++count;
        break;
      case ast::StmtKind::kIf:
        for (const ast::Branch& branch : stmt.branches) count += CountTasks(branch.body);
        break;
      case ast::StmtKind::kFor:
      case ast::StmtKind::kTry:
        count += CountTasks(stmt.body) + CountTasks(stmt.finally_body);
        break;
      case ast::StmtKind::kSetting:
      case ast::StmtKind::kReturn:
        break;
    }
  }
  return count;
}

// Reports each `if` chain in `body`, at any depth, with more than kMaxIfBranches branches.
void CheckBranchCounts(const std::vector<ast::Stmt>& body, diag::DiagnosticSink& sink) {
  for (const ast::Stmt& stmt : body) {
    if (stmt.kind == ast::StmtKind::kIf) {
      if (stmt.branches.size() > kMaxIfBranches) {
        sink.Report(diag::Kind::kTooManyBranches, stmt.branches[kMaxIfBranches].keyword_span,
                    fmt::format("this `if` chain has {} branches, more than the limit of {}",
                                stmt.branches.size(), kMaxIfBranches))
            .help = "each branch's condition repeats the negation of every earlier one; loop "
                    "over a list of cases, or select the case in a component";
      }
      for (const ast::Branch& branch : stmt.branches) CheckBranchCounts(branch.body, sink);
    } else if (stmt.kind == ast::StmtKind::kFor || stmt.kind == ast::StmtKind::kTry) {
      CheckBranchCounts(stmt.body, sink);
      CheckBranchCounts(stmt.finally_body, sink);
    }
  }
}

}  // namespace

bool CheckFileSize(std::string_view text, diag::FileId file, diag::DiagnosticSink& sink) {
  if (text.size() <= kMaxFileBytes) return true;
  sink.Report(diag::Kind::kFileTooLarge, {file, 0, 0},
              fmt::format("the file is larger than the limit of {} MiB", kMaxFileBytes >> 20))
      .help = "split the file into smaller files that import one another";
  return false;
}

void CheckStringLengths(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter) {
  for (antlr4::Token* token : tokens) {
    if (!IsStringToken(token->getType())) continue;
    diag::Span span = reporter.spans().Of(token);
    if (span.end - span.begin <= kMaxStringBytes) continue;
    span.end = span.begin + 1;  // the whole literal would fill the terminal
    reporter
        .Report(diag::Kind::kStringTooLong, token, span,
                fmt::format("string literal of {} bytes is longer than the limit of {} KiB",
                            reporter.spans().Of(token).end - reporter.spans().Of(token).begin,
                            kMaxStringBytes >> 10))
        .help = "keep large data in a file or an artifact and pass its path";
  }
}

bool CheckNameLengths(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter) {
  for (antlr4::Token* token : tokens) {
    if (token->getType() != grammar::KfLexer::ID) continue;
    diag::Span span = reporter.spans().Of(token);
    size_t length = span.end - span.begin;
    if (length <= kMaxNameBytes) continue;
    span.end = span.begin + 1;  // the whole name would fill the terminal
    reporter
        .Report(diag::Kind::kNameTooLong, token, span,
                fmt::format("name of {} bytes is longer than the limit of {} bytes", length,
                            kMaxNameBytes))
        .help = "choose a shorter name";
    return false;
  }
  return true;
}

void CheckTaskCounts(ast::File& file, diag::DiagnosticSink& sink) {
  for (ast::Decl& decl : file.decls) {
    if (decl.kind != ast::DeclKind::kPipeline) continue;
    CheckBranchCounts(decl.body, sink);
    size_t count = CountTasks(decl.body);
    if (count <= kMaxTasksPerPipeline) continue;
    sink.Report(diag::Kind::kTooManyTasks, decl.name_span,
                fmt::format("pipeline `{}` calls {} tasks, more than the limit of {}", decl.name,
                            count, kMaxTasksPerPipeline))
        .help = "use a `for` loop over a list, or split the pipeline into pipelines it calls";
    decl.body.clear();
  }
}

}  // namespace kfpc::parse
