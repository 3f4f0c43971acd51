#pragma once

// The kfp-kubernetes platform config of a task's executor: the KubernetesExecutorConfig message
// in the JSON form that the SDK writes with MessageToDict, camelCase keys, int64 fields as
// strings, and proto3 defaults left out.

#include <optional>
#include <vector>

#include "compiler/sema/program.h"
#include "runtime/ir/value.h"

namespace kfpc::lower {

class DagPlan;

// Builds the config of `task`, with the names it reads at run time resolved as inside the DAG
// `dag` (a group, or null for the root). Returns nullopt when the task has no Kubernetes
// settings.
std::optional<ir::Value> KubernetesConfig(const sema::Task& task, const DagPlan& plan,
                                          const void* dag);

// Returns the value references of `settings`, such as a Secret's name read from a pipeline
// input. The task depends on the tasks they read, and the groups around it take them as inputs.
std::vector<const sema::ValueRef*> KubernetesReferences(const sema::KubernetesSettings& settings);

}  // namespace kfpc::lower
