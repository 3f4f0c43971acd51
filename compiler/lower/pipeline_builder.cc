#include "compiler/lower/pipeline_builder.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_set>
#include <utility>

#include "compiler/lower/container.h"
#include "compiler/lower/dag_plan.h"
#include "compiler/lower/definitions.h"
#include "compiler/lower/kubernetes.h"

namespace kfpc::lower {
namespace {

ir::RetryPolicy ToRetryPolicy(const sema::Retry& retry) {
  ir::RetryPolicy policy;
  policy.max_retry_count = static_cast<int32_t>(retry.max_retry_count);
  policy.backoff_duration = DurationInSeconds(retry.backoff_duration.empty()
                                                  ? "0s" : retry.backoff_duration);
  // The SDK replaces a zero factor by its default, as `factor or 2.0` does.
  policy.backoff_factor = retry.backoff_factor == 0 ? 2.0 : retry.backoff_factor;
  policy.backoff_max_duration = DurationInSeconds(
      retry.backoff_max_duration.empty() ? "3600s" : retry.backoff_max_duration);
  return policy;
}

}  // namespace

std::string DurationInSeconds(const std::string& duration) {
  static constexpr std::pair<char, int64_t> kUnits[] = {
      {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
  if (duration.size() < 2) return duration;
  std::string digits = duration.substr(0, duration.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return duration;
  int64_t count = 0;
  auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (parsed.ec != std::errc()) return duration;  // too many digits for int64_t
  for (const auto& [unit, seconds] : kUnits) {
    if (duration.back() != unit) continue;
    int64_t total = 0;
    if (__builtin_mul_overflow(count, seconds, &total)) return duration;
    return std::to_string(total) + "s";
  }
  return duration;
}

PipelineBuilder::PipelineBuilder(const sema::Pipeline& pipeline, const LowerOptions& options,
                                 CompiledPipelineCache* cache)
    : pipeline_(pipeline),
      options_(options),
      cache_(cache),
      plan_(std::make_unique<DagPlan>(pipeline)) {}

PipelineBuilder::~PipelineBuilder() = default;

const std::string& PipelineBuilder::TaskName(const sema::Task* task) const {
  return plan_->TaskName(task);
}

CompiledPipeline PipelineBuilder::Build() {
  out_.root.input_definitions = ToInputDefinitions(pipeline_.inputs);
  out_.root.output_definitions = ToOutputDefinitions(pipeline_.outputs);
  out_.root.dag.emplace();
  // The SDK builds the DAG of each group in pre-order, the root first; a group's component is
  // created while its parent's DAG is built. The wrapper of an if/else chain comes right before
  // its first branch.
  BuildDagMembers(nullptr, pipeline_.members, &out_.root);
  // The branches of each if/else chain are siblings, so pre-order lists them in source order.
  // Collecting them in one pass keeps the time linear, where a scan of the siblings for each
  // chain was quadratic in the number of chains in one DAG.
  std::unordered_map<const void*, std::vector<const sema::Group*>> chain_branches;
  for (const sema::Group* group : plan_->GroupsInPreOrder()) {
    if (const void* wrapper = plan_->ChainNode(group)) chain_branches[wrapper].push_back(group);
  }
  for (const sema::Group* group : plan_->GroupsInPreOrder()) {
    const void* wrapper = plan_->ChainNode(group);
    if (wrapper != nullptr && built_wrappers_.insert(wrapper).second) {
      BuildChainDag(chain_branches.at(wrapper), wrapper);
    }
    BuildDagMembers(group, group->members, group_components_.at(group));
  }
  BuildExitTasks();
  BuildRootOutputs();
  return std::move(out_);
}

// The branches of an if/else chain, in source order, are the members of its wrapper's DAG.
void PipelineBuilder::BuildChainDag(const std::vector<const sema::Group*>& branches,
                                    const void* wrapper) {
  ir::ComponentSpec* spec = group_components_.at(wrapper);
  for (const sema::Group* branch : branches) AddGroupTask(branch, branch, wrapper, spec);
}

void PipelineBuilder::BuildDagMembers(const sema::Group* group, const Members& members,
                                      ir::ComponentSpec* spec) {
  if (!spec->dag) spec->dag.emplace();
  // Groups come before tasks within one DAG, as in the SDK's `group.groups + group.tasks`.
  for (const auto& member : members) {
    if (const auto* child = std::get_if<const sema::Group*>(&member)) {
      AddGroup(**child, group, spec);
    }
  }
  for (const auto& member : members) {
    const auto* task = std::get_if<const sema::Task*>(&member);
    if (task == nullptr || plan_->IsExitTask(*task)) continue;
    spec->dag->tasks[TaskName(*task)] = BuildTask(**task, group);
  }
}

ir::TaskSpec PipelineBuilder::BuildTask(const sema::Task& task, const void* dag) {
  const std::string& name = TaskName(&task);
  ir::TaskSpec spec;
  spec.task_info_name = task.display_name.value_or(name);
  spec.caching_options = ir::CachingOptions{task.enable_cache, ""};
  if (task.retry) spec.retry_policy = ToRetryPolicy(*task.retry);
  for (const sema::Argument& argument : task.arguments) {
    const sema::InputDef* input = task.component->FindInput(argument.input_name);
    bool is_artifact = input ? input->type.is_artifact : argument.value.type.is_artifact;
    plan_->ResolveArgument(dag, argument.input_name, argument.value, is_artifact, &spec.inputs);
  }
  // A resource read at run time comes through a `pipelinechannel--` input, as an interpolated
  // string does. The SDK also adds the setting's name as an input that contains the placeholder,
  // unless the component has an input of that name.
  for (const auto& [setting, placeholder] : RuntimeResourcePlaceholders(task)) {
    const sema::ValueRef& value = task.runtime_resources.at(setting);
    plan_->ResolveArgument(dag, plan_->ChannelOf(value).InputName(), value, false, &spec.inputs);
    if (task.component->FindInput(setting) == nullptr) {
      spec.inputs.parameters[setting].runtime_value = ir::Value::String(placeholder);
    }
  }
  spec.dependent_tasks = plan_->Dependencies(&task);
  if (task.ignore_upstream_failure) spec.trigger_strategy = "ALL_UPSTREAM_TASKS_COMPLETED";
  AddComponent("comp-" + name, &spec, TaskComponent(task, name));
  if (auto config = KubernetesConfig(task, *plan_, dag)) {
    out_.platform[out_.components.at(spec.component_ref).executor_label] = std::move(*config);
  }
  return spec;
}

std::map<std::string, std::string> PipelineBuilder::RuntimeResourcePlaceholders(
    const sema::Task& task) const {
  std::map<std::string, std::string> placeholders;
  for (const auto& [setting, value] : task.runtime_resources) {
    placeholders[setting] =
        "{{$.inputs.parameters['" + plan_->ChannelOf(value).InputName() + "']}}";
  }
  return placeholders;
}

// Builds the component of one task, registering its executor or merging the pipeline it calls.
ir::ComponentSpec PipelineBuilder::TaskComponent(const sema::Task& task, const std::string& name) {
  const sema::Component& component = *task.component;
  if (component.kind == sema::Component::Kind::kPipeline && component.pipeline != nullptr) {
    return MergeSubPipeline(cache_->Get(*component.pipeline));
  }
  ir::ComponentSpec spec;
  spec.input_definitions = ToInputDefinitions(component.inputs);
  spec.output_definitions = ToOutputDefinitions(component.outputs);
  spec.executor_label = executor_names_.Claim("exec-" + name);
  ir::ExecutorSpec executor;
  if (component.kind == sema::Component::Kind::kImporter) {
    executor.importer = BuildImporter(task);
  } else {
    executor.container =
        BuildContainer(task, options_.kfp_package_version, RuntimeResourcePlaceholders(task));
  }
  out_.executors[spec.executor_label] = std::move(executor);
  return spec;
}

void PipelineBuilder::AddComponent(const std::string& base, ir::TaskSpec* task,
                                   ir::ComponentSpec spec) {
  std::string name = component_names_.Claim(base);
  task->component_ref = name;
  out_.components[name] = std::move(spec);
}

ir::ComponentSpec* PipelineBuilder::AddGroupComponent(const std::string& base, ir::TaskSpec* task,
                                                      ir::ComponentSpec spec) {
  std::string name = component_names_.Claim(base);
  task->component_ref = name;
  ir::ComponentSpec& stored = out_.components[name];
  stored = std::move(spec);
  return &stored;
}

// Copies a compiled pipeline's executors and components into this one, renaming on collision in
// the SDK's order: executors first, each against this pipeline's executors; then components,
// each against this pipeline's components and every name the merge has seen so far.
ir::ComponentSpec PipelineBuilder::MergeSubPipeline(const CompiledPipeline& sub_template) {
  CompiledPipeline sub = sub_template;
  // Components by executor label, so that a rename reaches every component that uses the label.
  std::map<std::string, std::vector<std::string>> components_by_label;
  for (const auto& [name, component] : sub.components) {
    if (!component.executor_label.empty()) {
      components_by_label[component.executor_label].push_back(name);
    }
  }
  for (auto& [label, executor] : sub.executors) {
    std::string new_label = executor_names_.Claim(label);
    if (new_label != label) {
      std::vector<std::string> users = std::move(components_by_label[label]);
      components_by_label.erase(label);
      for (const std::string& user : users) sub.components[user].executor_label = new_label;
      auto& moved = components_by_label[new_label];
      moved.insert(moved.end(), users.begin(), users.end());
    }
    out_.executors[new_label] = executor;
    if (sub.platform.count(label)) out_.platform[new_label] = sub.platform.at(label);
  }
  RenameSubComponents(&sub);
  return std::move(sub.root);
}

void PipelineBuilder::RenameSubComponents(CompiledPipeline* sub) {
  // Every task of the sub-pipeline, by the component it references.
  std::map<std::string, std::vector<ir::TaskSpec*>> tasks_by_ref;
  auto index = [&](ir::ComponentSpec& spec) {
    if (!spec.dag) return;
    for (auto& [unused, task] : spec.dag->tasks) tasks_by_ref[task.component_ref].push_back(&task);
  };
  for (auto& [unused, component] : sub->components) index(component);
  index(sub->root);

  std::vector<std::pair<std::string, std::string>> renames;
  std::unordered_set<std::string> seen;
  for (const auto& [name, unused] : sub->components) {
    std::string new_name = component_names_.PeekAvoiding(name, seen);
    seen.insert(name);
    seen.insert(new_name);
    renames.emplace_back(name, new_name);
  }
  // The SDK renames references last to first, so a rename never feeds a later one.
  for (auto it = renames.rbegin(); it != renames.rend(); ++it) {
    if (it->first == it->second) continue;
    std::vector<ir::TaskSpec*> users = std::move(tasks_by_ref[it->first]);
    tasks_by_ref.erase(it->first);
    for (ir::TaskSpec* user : users) user->component_ref = it->second;
    auto& moved = tasks_by_ref[it->second];
    moved.insert(moved.end(), users.begin(), users.end());
  }
  for (const auto& [old_name, new_name] : renames) {
    component_names_.Add(new_name);
    out_.components[new_name] = std::move(sub->components[old_name]);
  }
}

const CompiledPipeline& CompiledPipelineCache::Get(const sema::Pipeline& pipeline) {
  auto it = compiled_.find(&pipeline);
  if (it != compiled_.end()) return *it->second;
  PipelineBuilder builder(pipeline, options_, this);
  auto compiled = std::make_unique<CompiledPipeline>(builder.Build());
  return *compiled_.emplace(&pipeline, std::move(compiled)).first->second;
}

}  // namespace kfpc::lower
