#pragma once

#include <map>
#include <optional>
#include <string>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/passes/project_config.h"
#include "compiler/passes/target_profile.h"
#include "compiler/passes/task_graph.h"
#include "compiler/sema/program.h"

// Decides the target profile of each task.
namespace kfpc::passes {

struct TargetChoice {
  // Every profile that can be named: the built-ins and the project config's.
  std::map<std::string, TargetProfile> profiles;
  // The profile of each executor node of the task graph, by node id.
  std::map<std::string, const TargetProfile*> by_node;

  // Returns the profile of node `id`; the `none` profile when the node has none.
  const TargetProfile& Of(const std::string& id) const;
  // Returns true when some node has a profile other than `none`.
  bool AnyTarget() const;
};

// Picks each executor node's profile: the task's `target` setting, else the `target` setting of
// the pipeline that declares the task, else that of `entry`, the pipeline being built, else
// `build_target` (`--target`), else the project config's `default_target`, else `none`. Reports
// an unknown name as kUnknownTarget at the setting, or without a location for `--target`.
// Executors that the KFP backend runs itself (images::IsKfpBackendImage) get `none`, so that
// placement, pinning and cache key annotations leave them alone.
TargetChoice ChooseTargets(const sema::Program& program, const sema::Pipeline* entry,
                           const TaskGraph& graph, const std::optional<std::string>& build_target,
                           const ProjectConfig& config, diag::DiagnosticSink& sink);

// ChooseTargets for `program.entry`.
TargetChoice ChooseTargets(const sema::Program& program, const TaskGraph& graph,
                           const std::optional<std::string>& build_target,
                           const ProjectConfig& config, diag::DiagnosticSink& sink);

}  // namespace kfpc::passes
