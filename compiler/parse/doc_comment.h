#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "Token.h"
#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

// The `///` comments right before token `index` of `tokens` (every token of the file, hidden ones
// included), one line each, without the slashes, one following space and trailing white space.
// A blank line ends the run: only doc comments on lines in a row form one description.
std::string DocCommentBefore(const std::vector<antlr4::Token*>& tokens, size_t index,
                             std::string_view text, const SpanMap& spans);

// Warns about each run of `///` comments in `tokens` that is not right before a declaration,
// parameter or output of `file`, where DocCommentBefore would read it: such a comment documents
// nothing and is dropped.
void ReportStrayDocComments(const std::vector<antlr4::Token*>& tokens, const ast::File& file,
                            std::string_view text, const SpanMap& spans,
                            diag::DiagnosticSink& sink);

}  // namespace kfpc::parse
