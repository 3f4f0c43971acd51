#pragma once

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/passes/kfp_version.h"
#include "compiler/passes/targets.h"
#include "compiler/passes/task_graph.h"
#include "runtime/ir/pipeline_spec.h"

// The placement pass: schedules each executor on the nodes of its target profile.
namespace kfpc::passes {

// Merges placement into the Kubernetes config of each container executor whose target is not
// `none`: the architecture node selector, the profile's own labels, the instance families and
// the profile's tolerations. One family becomes a node selector, several become required node
// affinity with `In`. What the config already selects is kept. Reports, at the task: a node selector that picks
// another architecture or a family or instance type outside the profile (kArchitectureConflict,
// kPlacementConflict), an NVIDIA accelerator on a profile without NVIDIA GPUs, CPU or memory
// requests that no instance type of the profile holds.
void PlaceExecutors(const TaskGraph& graph, const TargetChoice& targets, ir::Document& document,
                    diag::DiagnosticSink& sink);

// Reports each top-level field of every executor's Kubernetes config that `backend` cannot
// read, with `severity`, at the span of a task that uses the executor.
void CheckPlatformFields(const TaskGraph& graph, const KfpVersion& backend, diag::Severity severity,
                         const ir::Document& document, diag::DiagnosticSink& sink);

}  // namespace kfpc::passes
