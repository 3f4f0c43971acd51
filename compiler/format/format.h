#pragma once

#include <optional>
#include <string>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"

namespace kfpc::format {

// Returns file `file` of `sources` in kfpc's canonical layout. It has 2-space indents and one
// setting or statement per line. A list wider than 100 columns breaks one element per line with
// a trailing comma. At most one blank line comes in a row, comments stay where they are, and
// literals are written as in the source. The result parses to the same tree as the input. When
// the file has syntax errors, reports them to `sink` and returns nullopt.
std::optional<std::string> Format(const diag::SourceManager& sources, diag::FileId file,
                                  diag::DiagnosticSink& sink);

}  // namespace kfpc::format
