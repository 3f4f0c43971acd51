#pragma once

// Conversion between byte offsets in a source text and LSP positions. An LSP position is a
// 0-based line and a 0-based character offset counted in the negotiated encoding: UTF-16 code
// units unless the client accepted UTF-8 bytes. Lines end at "\n", "\r\n" or "\r" (LSP 3.17).

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "compiler/diagnostics/source_manager.h"

namespace kfpc::lsp {

enum class PositionEncoding { kUtf8, kUtf16 };

struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

struct Range {
  Position start;
  Position end;
  friend bool operator==(const Range&, const Range&) = default;
};

// Converts the byte span [begin, end) of `text` to an LSP range. Offsets past the end of the text
// are clamped to it; an offset inside a multi-byte character counts as that character's start.
Range SpanToRange(std::string_view text, uint32_t begin, uint32_t end,
                  PositionEncoding encoding);
// The same for `span` of a file in `sources`. Its line index finds the line, so the time depends
// on the length of the span's lines, not on how far into the file they are.
Range SpanToRange(const diag::SourceManager& sources, diag::Span span, PositionEncoding encoding);

// Converts an LSP position to a byte offset of `text`. A character past the end of its line
// means the end of the line and a line past the last means the end of the text, as LSP 3.17
// requires of servers.
uint32_t PositionToOffset(std::string_view text, Position position, PositionEncoding encoding);
// Returns how many bytes at the start of `line` the first `character` code units take, stopping
// at a line break or at the end of `line`.
uint32_t CharacterOffset(std::string_view line, uint32_t character, PositionEncoding encoding);
// Returns the byte length of the UTF-8 sequence that starts with `lead`; 1 for a byte that
// cannot start one, so invalid input still advances.
uint32_t SequenceLength(unsigned char lead);
// Returns the code units that a sequence of `bytes` bytes takes in `encoding`: characters outside
// the Basic Multilingual Plane (4-byte UTF-8) are a surrogate pair in UTF-16.
uint32_t Units(uint32_t bytes, PositionEncoding encoding);

nlohmann::json ToJson(const Position& position);
nlohmann::json ToJson(const Range& range);
// Reads `{"line": L, "character": C}`; throws nlohmann::json::exception when a field is missing
// or not an unsigned integer, which the server reports as invalid params.
Position PositionFromJson(const nlohmann::json& json);

}  // namespace kfpc::lsp
