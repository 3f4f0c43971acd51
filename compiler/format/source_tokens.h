#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/source_manager.h"

namespace kfpc::format {

// One `//` or `///` comment, with its text as written minus trailing whitespace.
struct Comment {
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string_view text;
  bool trailing = false;  // code precedes it on its source line
};

// The comments of one file in source order, and the byte offsets of its code tokens. The
// printer takes comments from the front as it reaches their position, so every comment is
// printed exactly once.
class SourceTokens {
 public:
  // Lexes `text` again with kfpc's lexer, keeping the hidden channel that the parser skips.
  explicit SourceTokens(std::string_view text);

  // The first comment not yet taken, or null when all are taken.
  const Comment* Peek() const {
    return next_ < comments_.size() ? &comments_[next_] : nullptr;
  }
  // Takes the comment that Peek() returned.
  void Take() { ++next_; }
  // Whether a comment not yet taken starts inside [begin, end).
  bool HasCommentIn(uint32_t begin, uint32_t end) const;

  // The offset of the first code token starting at or after `offset` whose text is `symbol`
  // ("(", ")", "{"), or `fallback` when there is none.
  uint32_t FindSymbol(uint32_t offset, std::string_view symbol, uint32_t fallback) const;
  // The offset of the bracket that closes the one at `open` (an offset returned by FindSymbol).
  uint32_t MatchingClose(uint32_t open) const;
  // The bytes between each bracket and the one that closes it, summed over all brackets, so
  // that text inside n levels counts n times. The printer's work grows with it.
  uint64_t NestedBytes() const;

 private:
  struct Token {
    uint32_t begin = 0;
    std::string_view text;
  };
  std::vector<Comment> comments_;
  std::vector<Token> tokens_;  // code tokens only
  size_t next_ = 0;
};

}  // namespace kfpc::format
