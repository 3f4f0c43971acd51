#pragma once

#include <cstddef>
#include <string_view>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"

namespace kfpc::parse {

// The expression of one literal token of type `token_type` (a grammar::KfLexer token type) at
// `span` of `file_text`: strings are decoded and numbers converted. Reports bad escapes, numbers
// out of range and `{{$` in raw strings to `sink`. Returns null for the error tokens whose problem
// the token checks have already reported (BAD_NUMBER, SINGLE_QUOTED_STRING) and for a number that
// cannot be represented.
ast::ExprPtr BuildLiteral(size_t token_type, diag::Span span, std::string_view file_text,
                          diag::DiagnosticSink& sink);

}  // namespace kfpc::parse
