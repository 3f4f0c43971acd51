#pragma once

#include <string>

#include "runtime/ir/pipeline_spec.h"

// Access to the kfp-kubernetes KubernetesExecutorConfig of an executor, which the IR keeps as a
// generic Struct in the JSON shape that the KFP backend reads.
namespace kfpc::passes {

// Returns the config of `executor`, creating an empty one when it has none.
ir::Value::Struct& ExecutorConfig(ir::Document& document, const std::string& executor);

// Returns the Struct at `key` of `parent`, creating it (or replacing a non-Struct) when needed.
ir::Value::Struct& ChildStruct(ir::Value::Struct& parent, const std::string& key);
// Returns the List at `key` of `parent`, creating it (or replacing a non-List) when needed.
ir::Value::List& ChildList(ir::Value::Struct& parent, const std::string& key);

// Returns the string at `key` of `parent`, or nullptr when it is absent or not a string.
const std::string* StringField(const ir::Value::Struct& parent, const std::string& key);

}  // namespace kfpc::passes
