#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "Token.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

// The `///` comments right before token `index` of `tokens` (every token of the file, hidden ones
// included), one line each, without the slashes and one following space.
std::string DocCommentBefore(const std::vector<antlr4::Token*>& tokens, size_t index,
                             std::string_view text, const SpanMap& spans);

}  // namespace kfpc::parse
