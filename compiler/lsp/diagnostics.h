#pragma once

// Conversion of kfpc diagnostics to LSP Diagnostic objects.

#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/lsp/analysis.h"
#include "compiler/lsp/position.h"

namespace kfpc::lsp {

// Returns the LSP diagnostics of every file that the analysis read, by file, with an empty array
// for a file without diagnostics so that the client clears what it showed before. A diagnostic
// without a location goes to the root file's first character. `uri_of` names the files in labels.
// Returns the location that a diagnostic is shown at: its span, or the root file's first
// character when it has none.
diag::Span ShownSpan(const Analysis& analysis, const diag::Diagnostic& diagnostic);

// Converts one diagnostic to an LSP Diagnostic shown at ShownSpan.
nlohmann::json ConvertDiagnostic(const Analysis& analysis, const diag::Diagnostic& diagnostic,
                                 PositionEncoding encoding,
                                 const std::function<std::string(diag::FileId)>& uri_of);

std::map<diag::FileId, nlohmann::json> ConvertDiagnostics(
    const Analysis& analysis, PositionEncoding encoding,
    const std::function<std::string(diag::FileId)>& uri_of);

}  // namespace kfpc::lsp
