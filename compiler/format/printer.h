#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/format/source_tokens.h"

namespace kfpc::format {

// Writes the canonical layout of one parsed file. The AST decides what is printed and how it is
// laid out. `tokens` supplies the comments, each printed where its source offset falls between
// the nodes, and the offsets of brackets that the AST does not record. Literals are copied from
// the source text byte for byte.
class Printer {
 public:
  Printer(std::string_view text, SourceTokens& tokens) : text_(text), tokens_(tokens) {}

  // The formatted file, ending in one newline (empty when the file contains nothing).
  std::string Print(const ast::File& file);

 private:
  // One element of a bracketed, comma-separated list: an argument, item, entry or parameter.
  struct GroupItem {
    uint32_t begin = 0;
    uint32_t end = 0;
    std::string flat;                   // the element on one line
    std::function<void(int)> print;     // prints it at the given indent when the list breaks
  };

  // Lines and comments (printer.cc).
  void StartLine(int indent, uint32_t offset);
  void EndLine(uint32_t end, uint32_t limit);
  void NewLine(int indent, bool blank);
  bool BlankLineBefore(uint32_t offset) const;
  void Close(int indent, uint32_t close, std::string_view bracket, bool has_content);
  size_t Column() const;
  bool Fits(std::string_view flat, size_t suffix) const;

  // Declarations, settings and statements (printer.cc).
  void PrintDecl(const ast::Decl& decl);
  void PrintSignature(const ast::Decl& decl, uint32_t* after);
  void PrintSettingsBlock(const std::vector<ast::Setting>& settings, int indent, uint32_t open);
  void PrintSetting(const ast::Setting& setting, int indent);
  void PrintBody(const std::vector<ast::Stmt>& body, int indent, uint32_t open);
  void PrintStmt(const ast::Stmt& stmt, int indent);
  void PrintControlFlow(const ast::Stmt& stmt, int indent);

  // Expressions, types and bracketed lists (expr_printer.cc).
  void PrintExpr(const ast::Expr& expr, int indent, size_t suffix);
  std::string Flat(const ast::Expr& expr) const;
  std::string FlatOperand(const ast::Expr& operand, int min_precedence) const;
  std::string FlatType(const ast::TypeRef& type) const;
  std::string FlatParam(const ast::Param& param) const;
  std::vector<GroupItem> ArgumentItems(const std::vector<ast::Argument>& args);
  std::vector<GroupItem> ParamItems(const std::vector<ast::Param>& params);
  void PrintGroup(std::string_view open, std::string_view close, uint32_t open_at,
                  const std::vector<GroupItem>& items, int indent, size_t suffix);
  std::string_view Source(diag::Span span) const {
    return text_.substr(span.begin, span.end - span.begin);
  }

  std::string_view text_;
  SourceTokens& tokens_;
  std::string out_;
  uint32_t last_end_ = 0;     // source offset up to which everything has been printed
  bool block_start_ = false;  // no line has been started since the last opening bracket
};

}  // namespace kfpc::format
