// Explicit task dependencies (`after = [...]`) and dependency cycles.

#include <functional>

#include "compiler/check/pipeline_checker.h"

namespace kfpc::check {

namespace {

void CollectDataDependencies(const sema::ValueRef& value, std::vector<const sema::Task*>* out) {
  if (value.kind == sema::ValueRef::Kind::kTaskOutput && value.task) out->push_back(value.task);
  for (const sema::ValueRef& alternative : value.alternatives) {
    CollectDataDependencies(alternative, out);
  }
}

// The outermost group around `upstream` that does not also enclose `downstream`, or null when
// every group around `upstream` encloses `downstream` too.
const sema::Group* OutermostUncommonGroup(const sema::Task& upstream,
                                          const sema::Task& downstream) {
  const sema::Group* outermost = nullptr;
  for (const sema::Group* group = upstream.parent; group; group = group->parent) {
    bool shared = false;
    for (const sema::Group* around = downstream.parent; around; around = around->parent) {
      shared = shared || around == group;
    }
    if (!shared) outermost = group;
  }
  return outermost;
}

std::string TaskName(const sema::Task& task) {
  return task.binding.empty() ? task.component->name : task.binding;
}

}  // namespace

void PipelineChecker::ResolveAfter() {
  for (const PendingAfter& pending : pending_after_) {
    auto it = bindings_.find(pending.name);
    if (it == bindings_.end()) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidDependency, pending.span,
                                            "unknown task `" + pending.name + "` in `after`");
      auto task_names = [&] {
        std::vector<std::string> names;
        for (const auto& [name, binding] : bindings_) names.push_back(name);
        return names;
      };
      SuggestName(context_, d, pending.name, task_names, pending.span);
      if (d.help.empty()) d.help = "bind the task to a name, `name = component(...)`, and list it";
      continue;
    }
    if (it->second.broken || !it->second.task) continue;
    if (it->second.task == pending.task) {
      context_.Report(diag::Kind::kInvalidDependency, pending.span,
                      "task `" + pending.name + "` cannot run after itself")
          .help = "remove `" + pending.name + "` from its own `after` list";
      continue;
    }
    // A task in a condition branch or a `try` body may not run at all, so a task outside the
    // group cannot wait for it. The KFP SDK rejects such a dependency too. Waiting for a task in
    // a loop is allowed, because it waits for the whole loop.
    const sema::Group* crossed = OutermostUncommonGroup(*it->second.task, *pending.task);
    if (crossed && crossed->kind != sema::Group::Kind::kLoop) {
      bool in_try = crossed->kind == sema::Group::Kind::kExitHandler;
      diag::Diagnostic& d = context_.Report(
          diag::Kind::kInvalidDependency, pending.span,
          "task `" + pending.name + "` runs inside " + (in_try ? "a `try` body" : "an `if` branch") +
              ", so a task outside it cannot run after it");
      d.labels.push_back({crossed->span, in_try ? "the `try` body" : "the branch"});
      if (in_try && crossed->exit_task == pending.task) {
        d.help = "remove `" + pending.name +
                 "` from `after`: the `finally` task already runs "
                 "after the whole `try` body";
      } else {
        d.help = in_try ? "move this task into the `try` body, or make it wait for a task "
                          "outside the `try`"
                        : "move this task into the same branch, or make it wait for a task "
                          "outside the `if`";
      }
      continue;
    }
    // after_spans_ has an entry for each task already in the list, so a repeated name is found
    // without scanning a list that may name thousands of tasks.
    if (after_spans_.try_emplace({pending.task, it->second.task}, pending.span).second) {
      pending.task->after.push_back(it->second.task);
    }
  }
}

void PipelineChecker::CheckCycles() {
  std::map<const sema::Task*, std::vector<const sema::Task*>> edges;
  for (const auto& task : pipeline_.tasks) {
    std::vector<const sema::Task*>& out = edges[task.get()];
    out = task->after;
    for (const sema::Argument& argument : task->arguments) {
      CollectDataDependencies(argument.value, &out);
    }
  }
  enum class State { kNew, kActive, kDone };
  std::map<const sema::Task*, State> state;
  std::vector<const sema::Task*> path;
  std::function<void(const sema::Task*)> visit = [&](const sema::Task* task) {
    state[task] = State::kActive;
    path.push_back(task);
    for (const sema::Task* next : edges[task]) {
      if (state[next] == State::kActive) {
        auto start = std::find(path.begin(), path.end(), next);
        std::string chain;
        for (auto it = start; it != path.end(); ++it) chain += "`" + TaskName(**it) + "` -> ";
        chain += "`" + TaskName(*next) + "`";
        auto written = after_spans_.find({task, next});
        context_.Report(diag::Kind::kDependencyCycle,
                        written != after_spans_.end() ? written->second : task->span,
                        "tasks depend on each other in a cycle: " + chain)
            .help = "remove one of the `after` entries in the cycle";
      } else if (state[next] == State::kNew) {
        visit(next);
      }
    }
    path.pop_back();
    state[task] = State::kDone;
  };
  for (const auto& task : pipeline_.tasks) {
    if (state[task.get()] == State::kNew) visit(task.get());
  }
}

}  // namespace kfpc::check
