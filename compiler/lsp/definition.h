#pragma once

#include <nlohmann/json.hpp>

#include "compiler/lsp/request.h"

namespace kfpc::lsp {

// Returns the textDocument/definition result: the Location that declares the name under the
// position (the start of the imported file for an import path), or null.
nlohmann::json Definition(const Request& request);

}  // namespace kfpc::lsp
