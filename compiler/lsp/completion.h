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
// - in a task's settings block, where a setting starts: the task settings that the checker
//   accepts and `env`; in its `retry { ... }` block, the retry fields; in a Kubernetes block
//   setting such as `toleration { ... }`, nothing. After `=`: values;
// - in a component or an artifact type, where a setting starts: its settings; after `=`: values;
// - at the top level: the declaration keywords.
nlohmann::json Completion(const Request& request);

}  // namespace kfpc::lsp
