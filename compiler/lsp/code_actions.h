#pragma once

// Quick fixes: one code action for each diagnostic of the document that carries a diag::Fix.

#include <nlohmann/json.hpp>

#include "compiler/lsp/request.h"

namespace kfpc::lsp {

// Returns the CodeAction array for CodeActionParams `params` on the analysis of `request`. The
// fixes come from that analysis, not from the request: a diagnostic of `context.diagnostics`
// selects the fixable diagnostic with the same code and range, or else those with the same code
// and message whose range touches the request's range. With no diagnostics in the context,
// every fixable diagnostic whose range touches the request's range is used. `context.only`
// without `quickfix` returns no actions.
nlohmann::json CodeActions(const Request& request, const nlohmann::json& params);

}  // namespace kfpc::lsp
