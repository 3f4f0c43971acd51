#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

namespace {

// Returns the length of the valid UTF-8 sequence at the start of `text` and stores its code
// point, or returns 0 when the first byte does not start one. Rejects overlong forms, surrogates
// and values above U+10FFFF.
size_t DecodeOne(std::string_view text, char32_t* code_point) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || text.size() < length) return 0;
  char32_t value = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kMinimum[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *code_point = value;
  return length;
}

}  // namespace

SourceStream::SourceStream(std::string_view text) {
  _data.reserve(text.size());
  byte_offsets_.reserve(text.size() + 1);
  size_t offset = 0;
  while (offset < text.size()) {
    char32_t code_point = 0;
    size_t length = DecodeOne(text.substr(offset), &code_point);
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
