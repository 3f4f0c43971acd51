#include "compiler/passes/backend_features.h"

#include <fmt/format.h>

#include <set>
#include <vector>

namespace kfpc::passes {

namespace {

// `entry` and every pipeline that it calls, directly or through other pipelines, each once.
std::vector<const sema::Pipeline*> ReachablePipelines(const sema::Pipeline& entry) {
  std::vector<const sema::Pipeline*> pipelines = {&entry};
  std::set<const sema::Pipeline*> seen = {&entry};
  for (size_t i = 0; i < pipelines.size(); ++i) {
    for (const auto& task : pipelines[i]->tasks) {
      const sema::Component* component = task->component;
      if (component == nullptr || component->kind != sema::Component::Kind::kPipeline ||
          component->pipeline == nullptr || !seen.insert(component->pipeline).second) {
        continue;
      }
      pipelines.push_back(component->pipeline);
    }
  }
  return pipelines;
}

}  // namespace

void CheckWorkspace(const sema::Pipeline& entry, const KfpVersion& backend, diag::Severity severity,
                    diag::DiagnosticSink& sink) {
  for (const sema::Pipeline* pipeline : ReachablePipelines(entry)) {
    if (pipeline != &entry && pipeline->workspace) {
      diag::Diagnostic& d = sink.Report(
          diag::Kind::kWorkspaceIgnored, pipeline->workspace->span,
          fmt::format("the workspace of pipeline `{}` is ignored when pipeline `{}` runs it",
                      pipeline->name, entry.name));
      d.notes.push_back("only the pipeline that runs sets the run's workspace");
      d.help = fmt::format("move the `workspace` block to pipeline `{}`", entry.name);
    }
    if (!entry.workspace && pipeline->workspace_path_span.valid()) {
      diag::Diagnostic& d = sink.Report(
          diag::Kind::kWorkspaceMissing, pipeline->workspace_path_span,
          fmt::format("`run.workspace_path` needs a workspace, but pipeline `{}` has none",
                      entry.name));
      if (pipeline != &entry) {
        d.notes.push_back(fmt::format("pipeline `{}` runs pipeline `{}`, which reads the path",
                                      entry.name, pipeline->name));
      }
      d.help = fmt::format("add `workspace {{ size = \"10Gi\" }}` to pipeline `{}`", entry.name);
    }
  }
  if (entry.workspace && backend < kFirstWorkspaceBackend) {
    diag::Diagnostic& d = sink.Report(
        diag::Kind::kUnsupportedByKfpBackend, severity, entry.workspace->span,
        fmt::format("KFP backend {} creates the workspace volume but does not mount it in the "
                    "tasks",
                    backend.ToString()));
    d.notes.push_back(
        fmt::format("from {}, the backend mounts the volume and replaces "
                    "`run.workspace_path` with its path",
                    kFirstWorkspaceBackend.ToString()));
    if (severity == diag::Severity::kWarning) {
      d.notes.push_back(fmt::format(
          "KFP {} is the default backend; `--kfp-version` or a target other than `none` makes "
          "this an error",
          backend.ToString()));
    }
    d.help = fmt::format("build with `--kfp-version {}` or later if the cluster runs it",
                         kFirstWorkspaceBackend.ToString());
  }
}

void CheckRuntimeResources(const sema::Pipeline& entry, const KfpVersion& backend,
                           diag::Severity severity, diag::DiagnosticSink& sink) {
  if (backend >= kFirstRuntimeResourceBackend) return;
  for (const sema::Pipeline* pipeline : ReachablePipelines(entry)) {
    for (const auto& task : pipeline->tasks) {
      for (const auto& [setting, value] : task->runtime_resources) {
        diag::Diagnostic& d =
            sink.Report(diag::Kind::kUnsupportedByKfpBackend, severity, value.span,
                        fmt::format("KFP backend {} reads `{}` only as a constant",
                                    backend.ToString(), setting));
        d.notes.push_back(fmt::format(
            "from {}, the backend reads a resource from a task input; before, the task gets no "
            "`{}`",
            kFirstRuntimeResourceBackend.ToString(), setting));
        d.help = fmt::format("write a constant, or build with `--kfp-version {}` or later",
                             kFirstRuntimeResourceBackend.ToString());
      }
    }
  }
}

}  // namespace kfpc::passes
