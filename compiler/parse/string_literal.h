#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"

namespace kfpc::parse {

struct DecodedString {
  std::string value;  // the decoded text; an interpolation appears as `{path}`
  std::vector<ast::StringPart> parts;
};

// Decodes the text between the quotes of a `"..."` literal, which starts at `content.begin`:
// escapes become characters and `{a.b}` becomes an interpolation part. Reports invalid escapes
// and malformed interpolations to `sink` and keeps going.
DecodedString DecodeString(std::string_view text, diag::Span content, diag::DiagnosticSink& sink);

// The value of a raw string whose text between the `"""` delimiters is `content`: the text as
// written, less the line break (and any spaces before it) that ends the opening `"""`'s line.
// Narrows `content` to the bytes of the value.
std::string DecodeRawString(std::string_view text, diag::Span* content);

// The help of kBackendPlaceholderInString, for a `"..."` string or a raw string.
std::string BackendPlaceholderHelp(bool raw);

// Reports the first `{{$` in the value of a raw string, whose bytes are `content`, because the
// KFP backend would replace it at run time and a raw string cannot escape it.
void CheckRawStringPlaceholders(std::string_view value, diag::Span content,
                                diag::DiagnosticSink& sink);

}  // namespace kfpc::parse
