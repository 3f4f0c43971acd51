#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ANTLRInputStream.h"
#include "ParserRuleContext.h"
#include "Token.h"
#include "compiler/diagnostics/source_manager.h"

namespace kfpc::parse {

// The UTF-8 text of one file as the code-point stream that ANTLR reads, with the map from ANTLR's
// code-point indexes back to byte offsets. Decoding is done here rather than by ANTLR so that
// invalid UTF-8 is reported instead of thrown.
class SourceStream : public antlr4::ANTLRInputStream {
 public:
  // Decodes `text`; each byte that is not part of valid UTF-8 becomes U+FFFD and is listed in
  // invalid_bytes().
  explicit SourceStream(std::string_view text);

  // The byte offset of code point `index`; indexes at or past the end give the text's size.
  uint32_t ByteOffset(size_t index) const;
  // The decoded text, one element per code point.
  std::u32string_view code_points() const { return _data; }
  // Byte offsets of the bytes that are not valid UTF-8, in order.
  const std::vector<uint32_t>& invalid_bytes() const { return invalid_bytes_; }

 private:
  std::vector<uint32_t> byte_offsets_;  // one per code point, then the text's size
  std::vector<uint32_t> invalid_bytes_;
};

// Byte spans of ANTLR tokens and rule contexts in one file.
class SpanMap {
 public:
  SpanMap(const SourceStream& stream, diag::FileId file) : stream_(stream), file_(file) {}

  diag::FileId file() const { return file_; }
  // The bytes of `token`; the end-of-file token gives an empty span at the end.
  diag::Span Of(const antlr4::Token* token) const;
  // From the first to the last token of `ctx`; empty at its start when it matched nothing.
  diag::Span Of(const antlr4::ParserRuleContext* ctx) const;
  // From the start of `first` to the end of `last`.
  diag::Span Between(diag::Span first, diag::Span last) const {
    return {file_, first.begin, last.end};
  }

 private:
  const SourceStream& stream_;
  diag::FileId file_;
};

}  // namespace kfpc::parse
