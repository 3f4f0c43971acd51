#pragma once

// Checks of pipeline features that older KFP backends ignore without a message: the workspace
// (pipelineConfig.workspace and `run.workspace_path`) and resources read at run time.

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/passes/kfp_version.h"
#include "compiler/passes/task_graph.h"
#include "compiler/sema/program.h"

namespace kfpc::passes {

// The first backend releases that mount the workspace in task pods and replace
// `{{$.workspace_path}}` (2.15), and that read a resource from a task input (2.4).
inline constexpr KfpVersion kFirstWorkspaceBackend{2, 15};
inline constexpr KfpVersion kFirstRuntimeResourceBackend{2, 4};

// Checks the workspace of `entry`, the pipeline that runs, and of the pipelines it calls. Reports
// `run.workspace_path` without a workspace on `entry` (kWorkspaceMissing) and the ignored
// workspace of a called pipeline (kWorkspaceIgnored). A backend before kFirstWorkspaceBackend is
// reported with `severity` (kUnsupportedByKfpBackend).
void CheckWorkspace(const sema::Pipeline& entry, const KfpVersion& backend, diag::Severity severity,
                    diag::DiagnosticSink& sink);

// Warns about tasks with `ignore_upstream_failure` that the Argo backend does not run exactly
// once (kUpstreamFailureHook). The backend runs such a task as an exit hook of each task in its
// dependentTasks and keeps one hook per task. So a task with several upstream tasks runs several
// times, and of two tasks that share an upstream task only one runs.
void CheckUpstreamFailureHooks(const TaskGraph& graph, diag::DiagnosticSink& sink);

// Reports, with `severity`, each resource setting read at run time in `entry` or a pipeline it
// calls when `backend` is before kFirstRuntimeResourceBackend.
void CheckRuntimeResources(const sema::Pipeline& entry, const KfpVersion& backend,
                           diag::Severity severity, diag::DiagnosticSink& sink);

}  // namespace kfpc::passes
