#include "compiler/format/printer.h"

#include <algorithm>

// Lines, comments, declarations, settings and statements. Expressions and bracketed lists are
// printed in expr_printer.cc.

namespace kfpc::format {

namespace {

constexpr int kIndent = 2;
constexpr size_t kMaxWidth = 100;

// The offset where the element after `items[i]` starts, or `close` after the last one.
template <typename T>
uint32_t NextBegin(const std::vector<T>& items, size_t i, uint32_t close) {
  return i + 1 < items.size() ? items[i + 1].span.begin : close;
}

}  // namespace

std::string Printer::Print(const ast::File& file) {
  const uint32_t end = static_cast<uint32_t>(text_.size());
  for (size_t i = 0; i < file.decls.size(); ++i) {
    const ast::Decl& decl = file.decls[i];
    StartLine(0, decl.span.begin);
    PrintDecl(decl);
    EndLine(decl.span.end, NextBegin(file.decls, i, end));
  }
  while (const Comment* comment = tokens_.Peek()) {
    NewLine(0, BlankLineBefore(comment->begin));
    out_ += comment->text;
    last_end_ = comment->end;
    tokens_.Take();
  }
  if (!out_.empty()) out_ += '\n';
  return std::move(out_);
}

// Prints the comments that come before `offset` on lines of their own, then starts the line of
// the element at `offset`. One blank line is kept where the source has one or more.
void Printer::StartLine(int indent, uint32_t offset) {
  for (const Comment* comment = tokens_.Peek(); comment != nullptr && comment->begin < offset;
       comment = tokens_.Peek()) {
    NewLine(indent, BlankLineBefore(comment->begin));
    out_ += comment->text;
    last_end_ = comment->end;
    tokens_.Take();
  }
  NewLine(indent, BlankLineBefore(offset));
  last_end_ = std::max(last_end_, offset);
}

// Ends the line of an element that ends at `end`, keeping a comment that follows code on its
// source line at the end of this line when it comes before `limit`.
void Printer::EndLine(uint32_t end, uint32_t limit) {
  last_end_ = std::max(last_end_, end);
  const Comment* comment = tokens_.Peek();
  if (comment == nullptr || !comment->trailing || comment->begin >= limit) return;
  out_ += ' ';
  out_ += comment->text;
  last_end_ = comment->end;
  tokens_.Take();
}

void Printer::NewLine(int indent, bool blank) {
  if (!out_.empty()) {
    if (blank && !block_start_) out_ += '\n';
    out_ += '\n';
  }
  out_.append(static_cast<size_t>(indent), ' ');
  block_start_ = false;
}

bool Printer::BlankLineBefore(uint32_t offset) const {
  if (offset <= last_end_) return false;
  std::string_view between = text_.substr(last_end_, offset - last_end_);
  bool line_is_empty = false;
  for (size_t i = 0; i < between.size(); ++i) {
    char c = between[i];
    // A line ends with LF, CR LF or a lone CR.
    bool line_end = c == '\n' || (c == '\r' && (i + 1 == between.size() || between[i + 1] != '\n'));
    if (line_end) {
      if (line_is_empty) return true;
      line_is_empty = true;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\f') {
      line_is_empty = false;
    }
  }
  return false;
}

// Prints the comments left before the bracket at `close`, one level deeper than `indent`, and
// then the bracket: on its own line after content, right after the opening one otherwise.
void Printer::Close(int indent, uint32_t close, std::string_view bracket, bool has_content) {
  for (const Comment* comment = tokens_.Peek(); comment != nullptr && comment->begin < close;
       comment = tokens_.Peek()) {
    NewLine(indent + kIndent, BlankLineBefore(comment->begin));
    out_ += comment->text;
    last_end_ = comment->end;
    tokens_.Take();
    has_content = true;
  }
  if (has_content) NewLine(indent, false);
  out_ += bracket;
  block_start_ = false;
  last_end_ = std::max(last_end_, close + 1);
}

size_t Printer::Column() const {
  size_t newline = out_.rfind('\n');
  return newline == std::string::npos ? out_.size() : out_.size() - newline - 1;
}

// Whether `flat` and then `suffix` more columns fit on the current line. A multi-line literal
// (a raw string) counts with its first line only, so a list that ends in one stays on one line.
bool Printer::Fits(std::string_view flat, size_t suffix) const {
  size_t newline = flat.find('\n');
  if (newline != std::string_view::npos) return Column() + newline <= kMaxWidth;
  return Column() + flat.size() + suffix <= kMaxWidth;
}

void Printer::PrintDecl(const ast::Decl& decl) {
  switch (decl.kind) {
    case ast::DeclKind::kImport:
      out_ += "import ";
      out_ += Source(decl.import_path_span);
      return;
    case ast::DeclKind::kArtifact:
      out_ += "artifact " + decl.name + " ";
      PrintSettingsBlock(decl.settings, 0, tokens_.FindSymbol(decl.name_span.end, "{", 0));
      return;
    case ast::DeclKind::kComponent:
    case ast::DeclKind::kPipeline: {
      out_ += decl.kind == ast::DeclKind::kComponent ? "component " : "pipeline ";
      out_ += decl.name;
      uint32_t after = decl.name_span.end;
      PrintSignature(decl, &after);
      out_ += ' ';
      uint32_t open = tokens_.FindSymbol(after, "{", 0);
      if (decl.kind == ast::DeclKind::kComponent) {
        PrintSettingsBlock(decl.settings, 0, open);
      } else {
        PrintBody(decl.body, 0, open);
      }
      return;
    }
  }
}

// Prints `(inputs) -> outputs` and stores in `after` the offset just past it in the source.
void Printer::PrintSignature(const ast::Decl& decl, uint32_t* after) {
  std::string outputs;
  if (decl.single_output && !decl.outputs.empty()) {
    outputs = " -> " + FlatType(decl.outputs[0].type);
  } else if (!decl.outputs.empty()) {
    outputs = " -> (";
    for (size_t i = 0; i < decl.outputs.size(); ++i) {
      outputs += (i > 0 ? ", " : "") + FlatParam(decl.outputs[i]);
    }
    outputs += ")";
  }
  uint32_t open = tokens_.FindSymbol(*after, "(", *after);
  PrintGroup("(", ")", open, ParamItems(decl.inputs), 0, outputs.size() + 2);
  *after = tokens_.MatchingClose(open) + 1;
  if (decl.outputs.empty()) return;
  out_ += " -> ";
  if (decl.single_output) {
    out_ += FlatType(decl.outputs[0].type);
    *after = decl.outputs[0].span.end;
    return;
  }
  uint32_t outputs_open = tokens_.FindSymbol(*after, "(", *after);
  PrintGroup("(", ")", outputs_open, ParamItems(decl.outputs), 0, 2);
  *after = tokens_.MatchingClose(outputs_open) + 1;
}

// Prints `{`, one setting per line, and `}`; `open` is the offset of the `{`.
void Printer::PrintSettingsBlock(const std::vector<ast::Setting>& settings, int indent,
                                 uint32_t open) {
  uint32_t close = tokens_.MatchingClose(open);
  out_ += '{';
  block_start_ = true;
  last_end_ = open + 1;
  EndLine(open + 1, settings.empty() ? close : settings[0].span.begin);
  bool has_content = last_end_ > open + 1;
  for (size_t i = 0; i < settings.size(); ++i) {
    StartLine(indent + kIndent, settings[i].span.begin);
    PrintSetting(settings[i], indent + kIndent);
    EndLine(settings[i].span.end, NextBegin(settings, i, close));
  }
  Close(indent, close, "}", has_content || !settings.empty());
}

void Printer::PrintSetting(const ast::Setting& setting, int indent) {
  switch (setting.form) {
    case ast::Setting::Form::kAssign:
    case ast::Setting::Form::kEnv:
      if (setting.form == ast::Setting::Form::kEnv) out_ += "env ";
      out_ += setting.name + " = ";
      PrintExpr(*setting.value, indent, 0);
      return;
    case ast::Setting::Form::kBlock:
      out_ += setting.name + " ";
      PrintSettingsBlock(setting.children, indent,
                         tokens_.FindSymbol(setting.name_span.end, "{", 0));
      return;
  }
}

// Prints `{`, one statement per line, and `}`; `open` is the offset of the `{`.
void Printer::PrintBody(const std::vector<ast::Stmt>& body, int indent, uint32_t open) {
  uint32_t close = tokens_.MatchingClose(open);
  out_ += '{';
  block_start_ = true;
  last_end_ = open + 1;
  EndLine(open + 1, body.empty() ? close : body[0].span.begin);
  bool has_content = last_end_ > open + 1;
  for (size_t i = 0; i < body.size(); ++i) {
    StartLine(indent + kIndent, body[i].span.begin);
    PrintStmt(body[i], indent + kIndent);
    EndLine(body[i].span.end, NextBegin(body, i, close));
  }
  Close(indent, close, "}", has_content || !body.empty());
}

void Printer::PrintStmt(const ast::Stmt& stmt, int indent) {
  switch (stmt.kind) {
    case ast::StmtKind::kTask: {
      const ast::TaskCall& task = stmt.task;
      if (!task.binding.empty()) out_ += task.binding + " = ";
      out_ += task.callee;
      PrintGroup("(", ")", task.args_span.begin, ArgumentItems(task.args), indent,
                 task.has_block ? 2 : 0);
      if (!task.has_block) return;
      out_ += ' ';
      PrintSettingsBlock(task.settings, indent, tokens_.FindSymbol(task.args_span.end, "{", 0));
      return;
    }
    case ast::StmtKind::kSetting:
      PrintSetting(stmt.setting, indent);
      return;
    case ast::StmtKind::kReturn:
      out_ += "return ";
      if (!stmt.output_name.empty()) out_ += stmt.output_name + " = ";
      PrintExpr(*stmt.value, indent, 0);
      return;
    case ast::StmtKind::kIf:
    case ast::StmtKind::kFor:
    case ast::StmtKind::kTry:
      PrintControlFlow(stmt, indent);
      return;
  }
}

void Printer::PrintControlFlow(const ast::Stmt& stmt, int indent) {
  if (stmt.kind == ast::StmtKind::kIf) {
    for (size_t i = 0; i < stmt.branches.size(); ++i) {
      const ast::Branch& branch = stmt.branches[i];
      out_ += i == 0 ? "if " : (branch.condition != nullptr ? " else if " : " else ");
      uint32_t after = branch.keyword_span.end;
      if (branch.condition != nullptr) {
        PrintExpr(*branch.condition, indent, 2);
        out_ += ' ';
        after = branch.condition->span.end;
      }
      PrintBody(branch.body, indent, tokens_.FindSymbol(after, "{", 0));
    }
    return;
  }
  if (stmt.kind == ast::StmtKind::kFor) {
    out_ += "for " + stmt.loop_variable + " in ";
    PrintExpr(*stmt.value, indent, 2);
    uint32_t after = stmt.value->span.end;
    if (stmt.parallelism != nullptr) {
      out_ += " parallelism = ";
      PrintExpr(*stmt.parallelism, indent, 2);
      after = stmt.parallelism->span.end;
    }
    out_ += ' ';
    PrintBody(stmt.body, indent, tokens_.FindSymbol(after, "{", 0));
    return;
  }
  out_ += "try ";
  if (stmt.handler_name_span.valid()) {
    out_ += Source(stmt.handler_name_span);
    out_ += ' ';
  }
  PrintBody(stmt.body, indent, tokens_.FindSymbol(stmt.span.begin, "{", 0));
  out_ += " finally ";
  PrintBody(stmt.finally_body, indent, tokens_.FindSymbol(stmt.finally_span.end, "{", 0));
}

}  // namespace kfpc::format
