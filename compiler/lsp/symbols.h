#pragma once

#include <nlohmann/json.hpp>

#include "compiler/lsp/analysis.h"
#include "compiler/lsp/position.h"

namespace kfpc::lsp {

// Returns the textDocument/documentSymbol result for `file`: a DocumentSymbol per artifact type,
// component and pipeline in source order, with a pipeline's tasks as its children (tasks inside
// `if`, `for` and `try` included, in source order).
nlohmann::json DocumentSymbols(const Analysis& analysis, diag::FileId file,
                               PositionEncoding encoding);

}  // namespace kfpc::lsp
