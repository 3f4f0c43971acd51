#pragma once

#include <cstddef>
#include <string_view>

namespace kfpc::diag {

// The length in bytes of the UTF-8 sequence that `lead` starts, from its high bits: 1 for ASCII,
// 2 for 0xC0-0xDF, 3 for 0xE0-0xEF and 4 for 0xF0-0xF7. Returns 0 for a continuation byte
// (0x80-0xBF) and for 0xF8-0xFF, which start no sequence. Whether the sequence is valid is
// DecodeUtf8's question.
size_t Utf8SequenceLength(unsigned char lead);

// Returns the length of the valid UTF-8 sequence at the start of `text` and stores its code
// point, or returns 0 when `text` does not start with one. Rejects overlong forms, surrogates,
// values above U+10FFFF and sequences cut off by the end of `text`.
size_t DecodeUtf8(std::string_view text, char32_t* code_point);

}  // namespace kfpc::diag
