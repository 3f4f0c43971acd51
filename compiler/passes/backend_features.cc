#include "compiler/passes/backend_features.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <vector>

namespace kfpc::passes {

namespace {

// The task as the user wrote it: its binding, else its component.
std::string TaskName(const TaskNode& node) {
  return node.task->binding.empty() ? node.task->component->name : node.task->binding;
}

// `entry` and every pipeline that it calls, directly or through other pipelines, each once.
std::vector<const sema::Pipeline*> ReachablePipelines(
    const sema::Pipeline& entry, std::vector<diag::Span>* entry_calls = nullptr) {
  std::vector<const sema::Pipeline*> pipelines = {&entry};
  // For each pipeline, the task of `entry` through which it runs.
  std::vector<diag::Span> calls = {diag::Span{}};
  std::set<const sema::Pipeline*> seen = {&entry};
  for (size_t i = 0; i < pipelines.size(); ++i) {
    for (const auto& task : pipelines[i]->tasks) {
      const sema::Component* component = task->component;
      if (component == nullptr || component->kind != sema::Component::Kind::kPipeline ||
          component->pipeline == nullptr || !seen.insert(component->pipeline).second) {
        continue;
      }
      pipelines.push_back(component->pipeline);
      calls.push_back(i == 0 ? task->span : calls[i]);
    }
  }
  if (entry_calls != nullptr) *entry_calls = std::move(calls);
  return pipelines;
}

}  // namespace

void CheckWorkspace(const sema::Pipeline& entry, const KfpVersion& backend, diag::Severity severity,
                    diag::DiagnosticSink& sink) {
  std::vector<diag::Span> calls;
  std::vector<const sema::Pipeline*> pipelines = ReachablePipelines(entry, &calls);
  for (size_t i = 0; i < pipelines.size(); ++i) {
    const sema::Pipeline* pipeline = pipelines[i];
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
        // Where the fix goes: in the file of `entry`, which may not be this one.
        d.labels.push_back({calls[i], fmt::format("pipeline `{}` runs pipeline `{}` here",
                                                  entry.name, pipeline->name)});
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
    d.help = fmt::format("build with `--kfp-version {}.0` or later if the cluster runs it",
                         kFirstWorkspaceBackend.ToString());
  }
}

void CheckUpstreamFailureHooks(const TaskGraph& graph, diag::DiagnosticSink& sink) {
  // The task whose hook each upstream task gets, by DAG path and upstream task name.
  std::map<std::string, const TaskNode*> hooks;
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    if (node.spec == nullptr || node.task == nullptr || !node.task->ignore_upstream_failure ||
        node.spec->trigger_strategy != "ALL_UPSTREAM_TASKS_COMPLETED") {
      continue;
    }
    diag::Span span = node.task->SettingSpan("ignore_upstream_failure");
    const std::vector<std::string>& upstream = node.spec->dependent_tasks;
    if (upstream.size() > 1) {
      diag::Diagnostic& d = sink.Report(
          diag::Kind::kUpstreamFailureHook, span,
          fmt::format("task `{}` runs once for each of its {} upstream tasks on the Argo backend",
                      TaskName(node), upstream.size()));
      d.notes.push_back(
          "the backend runs a task with `ignore_upstream_failure` as an exit hook "
          "of each task it waits for");
      d.help =
          "wait for one task, or run it as the `finally` task of a `try` around the tasks, "
          "which runs once after all of them";
    }
    std::string dag = id.substr(0, id.rfind('/'));
    for (const std::string& name : upstream) {
      auto [it, inserted] = hooks.emplace(dag + "/" + name, &node);
      if (inserted) continue;
      auto shared = graph.nodes.find(dag + "/" + name);
      std::string shared_name =
          shared != graph.nodes.end() && shared->second.task ? TaskName(shared->second) : name;
      diag::Diagnostic& d = sink.Report(
          diag::Kind::kUpstreamFailureHook, span,
          fmt::format("tasks `{}` and `{}` both wait for `{}` with `ignore_upstream_failure`, "
                      "and the Argo backend runs only one of them",
                      TaskName(*it->second), TaskName(node), shared_name));
      d.notes.push_back("the backend keeps one exit hook for each task it runs");
      d.help = "make one of them wait for another task, such as with `after = [...]`";
    }
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
        d.help = fmt::format("write a constant, or build with `--kfp-version {}.0` or later",
                             kFirstRuntimeResourceBackend.ToString());
      }
    }
  }
}

}  // namespace kfpc::passes
