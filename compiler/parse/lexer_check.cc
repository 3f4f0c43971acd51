#include "compiler/parse/lexer_check.h"

#include <fmt/format.h>

#include <memory>

#include "KfLexer.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

namespace {

std::string Describe(const antlr4::Token& token) {
  return fmt::format("type {} channel {} code points {}..{} at {}:{}", token.getType(),
                     token.getChannel(), token.getStartIndex(),
                     static_cast<long long>(token.getStopIndex()), token.getLine(),
                     token.getCharPositionInLine());
}

// Whether Describe and getText give the same for both tokens, without formatting either: the
// fuzz target compares every token.
bool SameToken(const antlr4::Token& ours, const antlr4::Token& theirs) {
  return ours.getType() == theirs.getType() && ours.getChannel() == theirs.getChannel() &&
         ours.getStartIndex() == theirs.getStartIndex() &&
         ours.getStopIndex() == theirs.getStopIndex() && ours.getLine() == theirs.getLine() &&
         ours.getCharPositionInLine() == theirs.getCharPositionInLine() &&
         ours.getText() == theirs.getText();
}

}  // namespace

std::optional<std::string> CompareWithGeneratedLexer(std::string_view text) {
  SourceStream ours_stream(text);
  SourceStream theirs_stream(text);
  Lexer ours(ours_stream);
  grammar::KfLexer theirs(&theirs_stream);
  theirs.removeErrorListeners();
  for (size_t index = 0;; ++index) {
    std::unique_ptr<antlr4::Token> a = ours.nextToken();
    std::unique_ptr<antlr4::Token> b = theirs.nextToken();
    if (!SameToken(*a, *b)) {
      return fmt::format("token {}: kfpc's lexer gives {} `{}`, the generated lexer {} `{}`", index,
                         Describe(*a), a->getText(), Describe(*b), b->getText());
    }
    if (a->getType() == antlr4::Token::EOF) return std::nullopt;
  }
}

}  // namespace kfpc::parse
