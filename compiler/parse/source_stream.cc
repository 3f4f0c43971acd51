#include "compiler/parse/source_stream.h"

#include "compiler/diagnostics/utf8.h"

namespace kfpc::parse {

SourceStream::SourceStream(std::string_view text) {
  _data.reserve(text.size());
  byte_offsets_.reserve(text.size() + 1);
  size_t offset = 0;
  while (offset < text.size()) {
    char32_t code_point = 0;
    size_t length = diag::DecodeUtf8(text.substr(offset), &code_point);
    if (length == 0) {
      invalid_bytes_.push_back(static_cast<uint32_t>(offset));
      code_point = 0xFFFD;
      length = 1;
    }
    _data.push_back(code_point);
    byte_offsets_.push_back(static_cast<uint32_t>(offset));
    offset += length;
  }
  byte_offsets_.push_back(static_cast<uint32_t>(text.size()));
}

uint32_t SourceStream::ByteOffset(size_t index) const {
  return index < byte_offsets_.size() ? byte_offsets_[index] : byte_offsets_.back();
}

diag::Span SpanMap::Of(const antlr4::Token* token) const {
  size_t start = token->getStartIndex();
  uint32_t begin = stream_.ByteOffset(start);
  // The end-of-file token and conjured tokens stop before they start.
  size_t stop = token->getStopIndex();
  uint32_t end = stop == INVALID_INDEX || stop < start ? begin : stream_.ByteOffset(stop + 1);
  return {file_, begin, end};
}

diag::Span SpanMap::Of(const antlr4::ParserRuleContext* ctx) const {
  diag::Span first = Of(ctx->start);
  const antlr4::Token* stop = ctx->stop;
  if (stop == nullptr || stop->getTokenIndex() < ctx->start->getTokenIndex()) {
    return {file_, first.begin, first.begin};
  }
  return Between(first, Of(stop));
}

}  // namespace kfpc::parse
