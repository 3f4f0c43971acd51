#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "compiler/lsp/position.h"

namespace kfpc::lsp {

// Returns the textDocument/formatting result for a document with `text`: one TextEdit that
// replaces the whole text with `kfpc fmt`'s layout, an empty array when the text is formatted
// already, or null when it has syntax errors, which the published diagnostics show.
nlohmann::json FormattingEdits(const std::string& path, const std::string& text,
                               PositionEncoding encoding);

}  // namespace kfpc::lsp
