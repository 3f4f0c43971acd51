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
    std::string described_a = Describe(*a);
    std::string described_b = Describe(*b);
    if (described_a != described_b || a->getText() != b->getText()) {
      return fmt::format("token {}: kfpc's lexer gives {} `{}`, the generated lexer {} `{}`", index,
                         described_a, a->getText(), described_b, b->getText());
    }
    if (a->getType() == antlr4::Token::EOF) return std::nullopt;
  }
}

}  // namespace kfpc::parse
