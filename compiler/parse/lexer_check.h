#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kfpc::parse {

// Lexes `text` with kfpc's Lexer and with the lexer ANTLR generates from grammar/KfLexer.g4 and
// returns a description of the first token where they differ (type, channel, indexes, line,
// column or text), or nothing when every token matches. For tests and the fuzz target only: the
// kfpc binary does not link the generated lexer.
std::optional<std::string> CompareWithGeneratedLexer(std::string_view text);

}  // namespace kfpc::parse
