#pragma once

#include <string_view>
#include <vector>

#include "Token.h"
#include "compiler/parse/source_stream.h"
#include "compiler/parse/syntax_errors.h"

namespace kfpc::parse {

// Reports one error and returns false when `text` starts with the byte order mark of UTF-16 or
// UTF-32, or when at least a quarter of its first 4 KiB are NUL bytes, as in UTF-16 without a
// byte order mark or a binary file. The lexer would report each NUL byte of such a file.
bool CheckEncoding(std::string_view text, diag::FileId file, diag::DiagnosticSink& sink);

// Reports the lexical mistakes in `tokens` (unterminated strings, malformed numbers, stray
// characters, invalid UTF-8 from `stream`), each once and at its token so that the parser stays
// quiet about it.
void ReportLexicalErrors(const std::vector<antlr4::Token*>& tokens, std::string_view text,
                         const SourceStream& stream, SyntaxErrorReporter& reporter,
                         diag::DiagnosticSink& sink);

// Reports a raw NUL byte in a string literal (an error) and the bidirectional control characters
// U+202A to U+202E and U+2066 to U+2069 in string literals and comments (a warning), which make
// the displayed text differ from what the compiler reads.
void ReportHiddenCharacters(const std::vector<antlr4::Token*>& tokens, std::string_view text,
                            const SpanMap& spans, diag::DiagnosticSink& sink);
// The deepest nesting the parser accepts: brackets, blocks, prefix operators and operator chains
// each add a level of recursion to parsing and to the syntax tree.
inline constexpr int kMaxNesting = 256;

// Reports and returns false when `tokens` nest deeper than kMaxNesting, before the parser recurses.
bool CheckNesting(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter);

}  // namespace kfpc::parse
