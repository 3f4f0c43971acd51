#include "compiler/lsp/position.h"

#include <algorithm>

namespace kfpc::lsp {

uint32_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF7) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

uint32_t Units(uint32_t bytes, PositionEncoding encoding) {
  if (encoding == PositionEncoding::kUtf8) return bytes;
  return bytes == 4 ? 2 : 1;
}

namespace {

bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }

// Returns the offset just after the line break at `offset` ("\r\n" counts as one break).
uint32_t SkipLineBreak(std::string_view text, uint32_t offset) {
  if (text[offset] == '\r' && offset + 1 < text.size() && text[offset + 1] == '\n') {
    return offset + 2;
  }
  return offset + 1;
}

// Counts from `line_start`, the first byte of line `line`, which is at or before `offset`.
Position ToPositionFrom(std::string_view text, uint32_t offset, PositionEncoding encoding,
                        uint32_t line, uint32_t line_start) {
  uint32_t i = line_start;
  Position position;
  position.line = line;
  while (i < offset) {
    if (IsLineBreak(text[i])) {
      uint32_t next = SkipLineBreak(text, i);
      if (next > offset) break;  // the offset sits between "\r" and "\n"
      ++position.line;
      position.character = 0;
      i = next;
      continue;
    }
    uint32_t length = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + length > offset) break;  // inside a character: count its start
    position.character += Units(length, encoding);
    i += length;
  }
  return position;
}

// The bytes of a UTF-8 byte order mark at the start of `text`, which editors do not show and
// positions do not count, or 0.
uint32_t ByteOrderMark(std::string_view text) { return text.starts_with("\xEF\xBB\xBF") ? 3 : 0; }

Position ToPosition(std::string_view text, uint32_t offset, PositionEncoding encoding) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  uint32_t start = std::min(ByteOrderMark(text), offset);
  return ToPositionFrom(text, offset, encoding, 0, start);
}

// Converts `offset` through the line index of `sources`, reading only the line of `offset`.
Position ToPosition(const diag::SourceManager& sources, diag::FileId file, uint32_t offset,
                    PositionEncoding encoding) {
  std::string_view text = sources.contents(file);
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  diag::LineColumn at = sources.Position(file, offset);
  return ToPositionFrom(text, offset, encoding, at.line - 1, offset - (at.column - 1));
}

}  // namespace

Range SpanToRange(std::string_view text, uint32_t begin, uint32_t end,
                  PositionEncoding encoding) {
  return {ToPosition(text, begin, encoding), ToPosition(text, std::max(begin, end), encoding)};
}

Range SpanToRange(const diag::SourceManager& sources, diag::Span span,
                  PositionEncoding encoding) {
  return {ToPosition(sources, span.file, span.begin, encoding),
          ToPosition(sources, span.file, std::max(span.begin, span.end), encoding)};
}

uint32_t PositionToOffset(std::string_view text, Position position, PositionEncoding encoding) {
  uint32_t i = ByteOrderMark(text);
  uint32_t size = static_cast<uint32_t>(text.size());
  for (uint32_t line = 0; line < position.line; ++line) {
    while (i < size && !IsLineBreak(text[i])) ++i;
    if (i == size) return size;
    i = SkipLineBreak(text, i);
  }
  return i + CharacterOffset(text.substr(i), position.character, encoding);
}

uint32_t CharacterOffset(std::string_view line, uint32_t character, PositionEncoding encoding) {
  uint32_t i = 0;
  uint32_t size = static_cast<uint32_t>(line.size());
  uint32_t units = 0;
  while (i < size && !IsLineBreak(line[i]) && units < character) {
    uint32_t length = std::min(SequenceLength(static_cast<unsigned char>(line[i])), size - i);
    units += Units(length, encoding);
    i += length;
  }
  return i;
}

nlohmann::json ToJson(const Position& position) {
  return {{"line", position.line}, {"character", position.character}};
}

nlohmann::json ToJson(const Range& range) {
  return {{"start", ToJson(range.start)}, {"end", ToJson(range.end)}};
}

namespace {

// Reads a coordinate of a position: an LSP uinteger, 0 to 2^31 - 1. get<uint32_t> alone would
// wrap -1 or 2^32 to a line of the document, and an edit there would change the wrong text.
uint32_t Coordinate(const nlohmann::json& position, const char* name) {
  const nlohmann::json& value = position.at(name);
  constexpr int64_t kMax = 0x7fffffff;
  bool valid =
      (value.is_number_unsigned() && value.get<uint64_t>() <= kMax) ||
      (value.is_number_integer() && value.get<int64_t>() >= 0 && value.get<int64_t>() <= kMax);
  if (!valid) {
    throw nlohmann::json::out_of_range::create(
        401,
        std::string("position `") + name +
            "` is not an integer from 0 to 2^31 - 1: " + value.dump(),
        &value);
  }
  return value.get<uint32_t>();
}

}  // namespace

Position PositionFromJson(const nlohmann::json& json) {
  return {Coordinate(json, "line"), Coordinate(json, "character")};
}

}  // namespace kfpc::lsp
