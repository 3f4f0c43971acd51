#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "CommonTokenFactory.h"
#include "Token.h"
#include "TokenSource.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

// A hand-written lexer for grammar/KfLexer.g4: the same tokens, types, channels, code-point
// indexes, lines and columns as the lexer ANTLR generates from that grammar, without its ATN.
//
// Why not the generated lexer: it deserializes its ATN at every start of kfpc and walks a DFA
// behind a reader lock for every character. Callgrind put a third of the instructions of a
// two-task build, and 14% of those of a 10,000-task one, in that lexer (ANTLR runtime 4.9). The
// grammar stays the specification and the source of the token types. tests/unit/lexer_test.cc
// and the fuzz target fuzz/compile.cc compare this lexer with the generated one token by token,
// so a change to one that the other lacks fails there.
class Lexer : public antlr4::TokenSource {
 public:
  explicit Lexer(SourceStream& stream);

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  antlr4::CharStream* getInputStream() override { return &stream_; }
  std::string getSourceName() override { return stream_.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

 private:
  struct Match {
    size_t type;
    size_t length;  // in code points
  };

  char32_t At(size_t index) const;
  Match Scan() const;
  Match ScanName() const;
  Match ScanNumber() const;
  Match ScanDoubleQuoted() const;
  size_t LineEnd(size_t from) const;
  // The index of the first `"""#` at or after `from`, or npos. `from` must not decrease from one
  // call to the next.
  size_t HashRawStringEnd(size_t from) const;
  // Moves past `count` code points, counting lines and columns as ANTLR does: a line feed starts
  // a new line, every other code point is one column.
  void Advance(size_t count);

  SourceStream& stream_;
  std::u32string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t column_ = 0;
  // The last answer of HashRawStringEnd.
  mutable bool close_known_ = false;
  mutable size_t close_ = 0;
};

}  // namespace kfpc::parse
