#pragma once

#include <nlohmann/json.hpp>

#include "compiler/lsp/request.h"

namespace kfpc::lsp {

// Returns the textDocument/hover result: a markdown Hover for a declaration, type, input,
// output, task binding, loop variable or import path under the position, else null.
nlohmann::json Hover(const Request& request);

}  // namespace kfpc::lsp
