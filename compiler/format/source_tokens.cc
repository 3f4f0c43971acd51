#include "compiler/format/source_tokens.h"

#include <algorithm>

#include "CommonTokenStream.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::format {

namespace {

// Whether anything but spaces and tabs precedes `offset` on its line.
bool FollowsCode(std::string_view text, uint32_t offset) {
  for (uint32_t i = offset; i > 0; --i) {
    char c = text[i - 1];
    // A line ends with LF, CR LF or a lone CR.
    if (c == '\n' || c == '\r') return false;
    if (c != ' ' && c != '\t') return true;
  }
  return false;
}

}  // namespace

SourceTokens::SourceTokens(std::string_view text) {
  parse::SourceStream stream(text);
  parse::SpanMap spans(stream, diag::kNoFile);
  parse::Lexer lexer(stream);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  for (antlr4::Token* token : tokens.getTokens()) {
    if (token->getType() == antlr4::Token::EOF) continue;
    diag::Span span = spans.Of(token);
    std::string_view token_text = text.substr(span.begin, span.end - span.begin);
    if (token->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      tokens_.push_back({span.begin, token_text});
      continue;
    }
    while (!token_text.empty() && std::string_view(" \t\r\f").find(token_text.back()) !=
                                      std::string_view::npos) {
      token_text.remove_suffix(1);
    }
    comments_.push_back({span.begin, span.end, token_text, FollowsCode(text, span.begin)});
  }
}

bool SourceTokens::HasCommentIn(uint32_t begin, uint32_t end) const {
  for (size_t i = next_; i < comments_.size() && comments_[i].begin < end; ++i) {
    if (comments_[i].begin >= begin) return true;
  }
  return false;
}

uint32_t SourceTokens::FindSymbol(uint32_t offset, std::string_view symbol,
                                  uint32_t fallback) const {
  auto it = std::lower_bound(tokens_.begin(), tokens_.end(), offset,
                             [](const Token& token, uint32_t at) { return token.begin < at; });
  for (; it != tokens_.end(); ++it) {
    if (it->text == symbol) return it->begin;
  }
  return fallback;
}

uint64_t SourceTokens::NestedBytes() const {
  uint64_t total = 0;
  std::vector<uint32_t> open;
  for (const Token& token : tokens_) {
    std::string_view t = token.text;
    if (t == "(" || t == "[" || t == "{") open.push_back(token.begin);
    if ((t == ")" || t == "]" || t == "}") && !open.empty()) {
      total += token.begin - open.back();
      open.pop_back();
    }
  }
  return total;
}

uint32_t SourceTokens::MatchingClose(uint32_t open) const {
  auto it = std::lower_bound(tokens_.begin(), tokens_.end(), open,
                             [](const Token& token, uint32_t at) { return token.begin < at; });
  int depth = 0;
  for (; it != tokens_.end(); ++it) {
    std::string_view t = it->text;
    if (t == "(" || t == "[" || t == "{") ++depth;
    if (t == ")" || t == "]" || t == "}") --depth;
    if (depth == 0) return it->begin;
  }
  return tokens_.empty() ? open : tokens_.back().begin;
}

}  // namespace kfpc::format
