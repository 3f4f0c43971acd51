#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "Token.h"
#include "compiler/ast/ast.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

// Parses the tokens of a file that has no syntax errors straight into the AST, by recursive descent
// over grammar/KfParser.g4, without building ANTLR's parse tree. It is the fast path of Parse. It
// gives up and returns nothing at the first token that the grammar does not allow there, and at
// each construct whose building would report a diagnostic, such as a bad escape, a number out of
// range or an error token. The generated parser then parses the file again, so its error recovery
// and messages stay the only ones. A tree that this parser returns is the one that the generated
// parser and AstBuilder build, spans and doc comments included. tests/unit/direct_parser_test.cc
// and the compile fuzz target compare the two.
//
// Why not only the generated parser: on the 2,000-line file of bench/, callgrind counted 90 million
// instructions in it (ANTLR runtime 4.9, SLL prediction) and 22 million more in building the AST
// from its parse tree, out of 188 million for the whole `kfpc check`. This parser does both in
// 9 million.
//
// `tokens` is every token of the file, hidden ones included, ending with EOF.
std::optional<ast::File> ParseDirectly(const std::vector<antlr4::Token*>& tokens,
                                       std::string_view text, const SpanMap& spans);

}  // namespace kfpc::parse
