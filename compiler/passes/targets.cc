#include "compiler/passes/targets.h"

#include <unordered_map>

#include "compiler/images/image_reference.h"

namespace kfpc::passes {

namespace {

std::string KnownNames(const std::map<std::string, TargetProfile>& profiles) {
  std::string names;
  for (const auto& [name, profile] : profiles) names += (names.empty() ? "`" : ", `") + name + "`";
  return names;
}

// Resolves `name` to a profile; reports and returns nullptr when there is no such profile.
const TargetProfile* Lookup(const TargetChoice& choice, const std::string& name, diag::Span span,
                            diag::DiagnosticSink& sink) {
  auto it = choice.profiles.find(name);
  if (it != choice.profiles.end()) return &it->second;
  sink.Report(diag::Kind::kUnknownTarget, span, "unknown target `" + diag::ShownText(name) + "`")
      .help = "the targets are " + KnownNames(choice.profiles) +
      "; declare others under `targets:` in `kfpc.yaml`";
  return nullptr;
}

}  // namespace

const TargetProfile& TargetChoice::Of(const std::string& id) const {
  static const TargetProfile kNone = *BuiltinProfile("none");
  auto it = by_node.find(id);
  return it == by_node.end() || it->second == nullptr ? kNone : *it->second;
}

bool TargetChoice::AnyTarget() const {
  for (const auto& [id, profile] : by_node) {
    if (profile && !profile->IsNone()) return true;
  }
  return false;
}

TargetChoice ChooseTargets(const sema::Program& program, const TaskGraph& graph,
                           const std::optional<std::string>& build_target,
                           const ProjectConfig& config, diag::DiagnosticSink& sink) {
  return ChooseTargets(program, program.entry, graph, build_target, config, sink);
}

TargetChoice ChooseTargets(const sema::Program& program, const sema::Pipeline* entry,
                           const TaskGraph& graph, const std::optional<std::string>& build_target,
                           const ProjectConfig& config, diag::DiagnosticSink& sink) {
  TargetChoice choice;
  for (const std::string& name : BuiltinProfileNames()) choice.profiles[name] = *BuiltinProfile(name);
  for (const auto& [name, profile] : config.targets) choice.profiles[name] = profile;

  const TargetProfile* fallback = &choice.profiles.at("none");
  if (build_target) {
    fallback = Lookup(choice, *build_target, diag::Span{}, sink);
  } else if (config.default_target) {
    fallback = Lookup(choice, *config.default_target, diag::Span{}, sink);
  }
  if (fallback == nullptr) return choice;

  // Each pipeline's own setting, looked up once so that a bad name is reported once.
  std::unordered_map<const sema::Task*, const sema::Pipeline*> owners;
  std::unordered_map<const sema::Pipeline*, const TargetProfile*> pipeline_targets;
  for (const auto& pipeline : program.pipelines) {
    for (const auto& task : pipeline->tasks) owners[task.get()] = pipeline.get();
    if (pipeline->target) {
      pipeline_targets[pipeline.get()] =
          Lookup(choice, *pipeline->target, pipeline->target_span, sink);
    }
  }
  const TargetProfile* entry_target = fallback;
  if (entry && pipeline_targets.count(entry)) entry_target = pipeline_targets[entry];
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    if (node.executor_label.empty() || node.task == nullptr) continue;
    const TargetProfile* profile = entry_target;
    auto owner = pipeline_targets.find(owners[node.task]);
    if (owner != pipeline_targets.end()) profile = owner->second;
    if (node.task->target) profile = Lookup(choice, *node.task->target, node.task->target_span, sink);
    // The backend creates or deletes a PVC for these executors and starts no pod.
    if (images::IsKfpBackendImage(node.task->component->image)) profile = nullptr;
    choice.by_node[id] = profile;
  }
  return choice;
}

}  // namespace kfpc::passes
