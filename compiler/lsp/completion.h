#pragma once

#include <nlohmann/json.hpp>

#include "compiler/lsp/request.h"

namespace kfpc::lsp {

// Returns the textDocument/completion result, a CompletionList chosen by the text before the
// position, since the code being typed rarely parses:
// - after `task.`: the outputs of the task's component; after `run.`: the run placeholders;
// - after `:` or `->`: parameter types and artifact types;
// - inside a call, where an argument name goes: the callee's inputs not yet given, with types;
// - at the start of a statement: component and pipeline names, keywords and settings;
// - at the top level: the declaration keywords.
nlohmann::json Completion(const Request& request);

}  // namespace kfpc::lsp
