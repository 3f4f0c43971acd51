#include "compiler/lower/dag_plan.h"

#include <algorithm>
#include <unordered_set>

#include "compiler/lower/definitions.h"
#include "compiler/lower/kubernetes.h"

namespace kfpc::lower {
namespace {

// The name that a task's IR names derive from: the component's `name` setting, or for a called
// pipeline the pipeline's, else the declared name.
std::string IrBaseName(const sema::Component& component) {
  if (component.ir_name) return *component.ir_name;
  if (component.pipeline != nullptr && component.pipeline->ir_name) {
    return *component.pipeline->ir_name;
  }
  return component.name;
}

std::string RunPlaceholder(const std::string& name) {
  static const std::map<std::string, std::string> kPlaceholders = {
      {"job_name", "{{$.pipeline_job_name}}"},
      {"job_resource_name", "{{$.pipeline_job_resource_name}}"},
      {"job_id", "{{$.pipeline_job_uuid}}"},
      {"task_name", "{{$.pipeline_task_name}}"},
      {"task_id", "{{$.pipeline_task_uuid}}"},
      {"create_time", "{{$.pipeline_job_create_time_utc}}"},
      {"schedule_time", "{{$.pipeline_job_schedule_time_utc}}"},
      {"pipeline_root", "{{$.pipeline_root}}"},
      {"workspace_path", "{{$.workspace_path}}"},
  };
  std::string key = name.rfind("run.", 0) == 0 ? name.substr(4) : name;
  auto it = kPlaceholders.find(key);
  return it == kPlaceholders.end() ? name : it->second;
}

void CollectConditionValues(const sema::Group::Condition& condition,
                            std::vector<const sema::ValueRef*>* out) {
  if (condition.kind == sema::Group::Condition::Kind::kCompare) {
    out->push_back(&condition.left);
    out->push_back(&condition.right);
  }
  for (const auto& operand : condition.operands) CollectConditionValues(*operand, out);
}

}  // namespace

DagPlan::DagPlan(const sema::Pipeline& pipeline) : pipeline_(pipeline) {
  NameMembers(pipeline.members);
  for (const auto& task : pipeline.tasks) {
    // A task the walk did not reach still needs a name; the SDK names every task it creates.
    if (task_names_.count(task.get()) == 0) {
      std::string base = SanitizeK8sName(IrBaseName(*task->component));
      task_names_[task.get()] = used_task_names_.Claim(base.empty() ? "task" : base);
    }
  }
  RenameTasksLikeGroups();
  RegisterFanIns();
  for (const auto& task : pipeline.tasks) {
    AddDependencies(task.get());
    CollectGroupInputs(task.get());
  }
  AddIterableDependencies();
}

void DagPlan::NameMembers(
    const std::vector<std::variant<const sema::Task*, const sema::Group*>>& members) {
  for (const auto& member : members) {
    if (const auto* task = std::get_if<const sema::Task*>(&member)) {
      if (task_names_.count(*task) != 0) continue;
      std::string base = SanitizeK8sName(IrBaseName(*(*task)->component));
      task_names_[*task] = used_task_names_.Claim(base.empty() ? "task" : base);
    } else {
      NameGroup(std::get<const sema::Group*>(member));
    }
  }
}

void DagPlan::RenameTasksLikeGroups() {
  // The SDK numbers groups (`for-loop-2`, `exit-handler-1`) without looking at the task names, so
  // a component named `for_loop_2` would take the loop's place in its DAG and the loop would not
  // run. Such a task gets the next free number instead.
  std::unordered_set<std::string> groups;
  for (const auto& [group, name] : group_names_) groups.insert(name);
  for (const auto& [chain, name] : chain_names_) groups.insert(name);
  for (const std::string& name : groups) used_task_names_.Add(name);
  for (const auto& task : pipeline_.tasks) {
    std::string& name = task_names_.at(task.get());
    while (groups.count(name) != 0) name = used_task_names_.Claim(name);
  }
}

bool DagPlan::EnclosingLoopHidden(const sema::Group* group, const std::string& name) const {
  auto inside = [&](const sema::Group* member) {
    for (; member != nullptr; member = member->parent) {
      if (member == group) return true;
    }
    return false;
  };
  for (const sema::Group* outer = group->parent; outer != nullptr; outer = outer->parent) {
    if (outer->kind != sema::Group::Kind::kLoop) continue;
    sema::ValueRef item;
    item.kind = sema::ValueRef::Kind::kLoopItem;
    item.loop = outer;
    if (ChannelOf(item).full_name != name) continue;
    for (const auto& task : pipeline_.tasks) {
      if (!inside(task->parent)) continue;
      for (const sema::ValueRef* value : ReferencedValues(task.get())) {
        if (value->kind == sema::ValueRef::Kind::kLoopItem && value->loop == outer) return true;
      }
    }
    for (const auto& loop : pipeline_.groups) {
      if (inside(loop.get()) && loop->iterable.kind == sema::ValueRef::Kind::kLoopItem &&
          loop->iterable.loop == outer) {
        return true;
      }
    }
  }
  return false;
}

void DagPlan::NameGroup(const sema::Group* group) {
  groups_pre_order_.push_back(group);
  switch (group->kind) {
    case sema::Group::Kind::kExitHandler:
      // The exit task is created before the handler's body, so it is named first.
      if (group->exit_task != nullptr) {
        exit_tasks_[group->exit_task] = group;
        NameMembers({group->exit_task});
      }
      group_names_[group] = "exit-handler-" + NextId();
      break;
    case sema::Group::Kind::kLoop:
      // A loop over a constant list takes an id for its item before its own.
      if (group->iterable.kind == sema::ValueRef::Kind::kConstant) {
        loop_item_names_[group] = "loop-item-param-" + NextId();
      } else {
        // The SDK names the item after the list, so inside a loop over the same list the inner
        // item hides the outer one. Where the inner loop reads the outer item, its own item
        // gets a number.
        std::string base = IterableChannel(*group).full_name + "-loop-item";
        std::string name = base;
        for (int n = 2; EnclosingLoopHidden(group, name); ++n) {
          name = base + "-" + std::to_string(n);
        }
        if (name != base) loop_item_names_[group] = name;
      }
      group_names_[group] = "for-loop-" + NextId();
      break;
    case sema::Group::Kind::kCondition: {
      group_names_[group] = "condition-" + NextId();
      if (group->chain_id < 0) break;
      auto first = chain_first_branch_.find(group->chain_id);
      if (first == chain_first_branch_.end()) {
        chain_first_branch_[group->chain_id] = group;
      } else if (chain_names_.count(group->chain_id) == 0) {
        // The second branch wraps the chain; the wrapper and the first branch swap ids.
        std::string first_id = group_names_[first->second].substr(10);
        std::string wrapper_id = group_names_[group].substr(10);
        chain_names_[group->chain_id] = "condition-branches-" + first_id;
        group_names_[first->second] = "condition-" + wrapper_id;
        group_names_[group] = "condition-" + NextId();
      }
      break;
    }
  }
  NameMembers(group->members);
}

std::vector<const void*> DagPlan::Chain(const sema::Task* task) const {
  std::vector<const void*> chain = {task};
  const sema::Group* group = IsExitTask(task) ? nullptr : task->parent;
  for (; group != nullptr; group = group->parent) {
    chain.push_back(group);
    auto wrapper = chain_names_.find(group->chain_id);
    if (group->kind == sema::Group::Kind::kCondition && wrapper != chain_names_.end()) {
      chain.push_back(&wrapper->second);
    }
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

const void* DagPlan::MemberIn(const void* dag, const sema::Task* task) const {
  std::vector<const void*> chain = Chain(task);
  if (dag == nullptr) return chain.front();
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (chain[i] == dag) return chain[i + 1];
  }
  return nullptr;
}

std::string DagPlan::MemberName(const void* member) const {
  auto task = task_names_.find(static_cast<const sema::Task*>(member));
  if (task != task_names_.end()) return task->second;
  auto group = group_names_.find(static_cast<const sema::Group*>(member));
  if (group != group_names_.end()) return group->second;
  return *static_cast<const std::string*>(member);
}

std::vector<const sema::ValueRef*> DagPlan::ReferencedValues(const sema::Task* task) const {
  std::vector<const sema::ValueRef*> values;
  // The values inside an interpolated string, also one in a list or dict, are read like
  // arguments of their own.
  auto add_pieces = [&](const sema::ValueRef& text) {
    for (const sema::ValueRef& piece : text.alternatives) {
      if (piece.kind != sema::ValueRef::Kind::kConstant) values.push_back(&piece);
    }
  };
  for (const sema::Argument& argument : task->arguments) {
    if (argument.value.kind == sema::ValueRef::Kind::kInterpolation) {
      add_pieces(argument.value);
    } else if (argument.value.kind == sema::ValueRef::Kind::kStructure) {
      for (const sema::ValueRef& text : argument.value.alternatives) add_pieces(text);
    } else {
      values.push_back(&argument.value);
    }
  }
  for (const sema::ValueRef* value : KubernetesReferences(task->kubernetes)) {
    values.push_back(value);
  }
  for (const auto& [setting, value] : task->runtime_resources) values.push_back(&value);
  for (const sema::Group* group = task->parent; group != nullptr; group = group->parent) {
    if (group->condition) CollectConditionValues(*group->condition, &values);
    for (const auto& previous : group->previous_conditions) {
      CollectConditionValues(*previous, &values);
    }
  }
  return values;
}

void DagPlan::AddDependencies(const sema::Task* task) {
  std::vector<const sema::Task*> upstream(task->after.begin(), task->after.end());
  for (const sema::ValueRef* value : ReferencedValues(task)) {
    if (value->kind == sema::ValueRef::Kind::kTaskOutput && value->task) {
      upstream.push_back(value->task);
    }
    for (const sema::ValueRef& alternative : value->alternatives) {
      if (alternative.task != nullptr) upstream.push_back(alternative.task);
    }
  }
  // An exit task may list only its handler: the Argo backend runs an exit task as a hook of each
  // task it lists. So the handler's group waits for what the exit task reads, which the handler
  // then has finished before the exit task starts.
  std::vector<const void*> downstream_chain =
      IsExitTask(task) ? GroupChain(exit_tasks_.at(task)) : Chain(task);
  for (const sema::Task* producer : upstream) {
    std::vector<const void*> upstream_chain = Chain(producer);
    size_t common = 0;
    while (common < upstream_chain.size() && common < downstream_chain.size() &&
           upstream_chain[common] == downstream_chain[common]) {
      ++common;
    }
    if (common >= upstream_chain.size() || common >= downstream_chain.size()) continue;
    dependencies_[downstream_chain[common]].insert(MemberName(upstream_chain[common]));
  }
}

std::vector<std::string> DagPlan::Dependencies(const void* node) const {
  auto it = dependencies_.find(node);
  if (it == dependencies_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

Channel DagPlan::IterableChannel(const sema::Group& loop) const {
  const sema::ValueRef& items = loop.iterable;
  if (items.kind != sema::ValueRef::Kind::kLoopItem || items.field.empty()) return ChannelOf(items);
  // `for x in item.field`: the SDK names the list `<item>-subvar-<field>` and types it STRING.
  Channel channel = ChannelOf(items);
  channel.type = sema::Type{};
  channel.type.param = sema::ParamType::kString;
  return channel;
}

Channel DagPlan::ChannelOf(const sema::ValueRef& value) const {
  Channel channel;
  channel.type = value.type;
  channel.is_artifact = value.type.is_artifact;
  switch (value.kind) {
    case sema::ValueRef::Kind::kTaskOutput:
      channel.producer = value.task;
      channel.output = value.name;
      channel.full_name = TaskName(value.task) + "-" + value.name;
      break;
    case sema::ValueRef::Kind::kLoopItem: {
      channel.loop = value.loop;
      auto item = loop_item_names_.find(value.loop);
      if (item != loop_item_names_.end()) {
        channel.full_name = item->second;
      } else {
        channel.full_name = IterableChannel(*value.loop).full_name + "-loop-item";
      }
      // `item.field` is a channel of its own, `<item>-subvar-<field>`, as the SDK's
      // LoopArgumentVariable: it reads the item's input through a selector.
      if (!value.field.empty()) {
        channel.base_input = channel.InputName();
        channel.full_name += "-subvar-" + value.field;
        channel.field = value.field;
      }
      break;
    }
    default:
      channel.full_name = value.name;
      break;
  }
  return channel;
}

void DagPlan::ResolveArgument(const void* group, const std::string& input_name,
                              const sema::ValueRef& value, bool is_artifact,
                              ir::TaskInputs* inputs) const {
  using Kind = sema::ValueRef::Kind;
  auto component_input = [&](const std::string& name) {
    if (is_artifact) {
      inputs->artifacts[input_name].component_input_artifact = name;
    } else {
      inputs->parameters[input_name].component_input_parameter = name;
    }
  };
  switch (value.kind) {
    case Kind::kConstant:
      inputs->parameters[input_name].runtime_value = ToValue(value.constant);
      return;
    case Kind::kRunPlaceholder:
      inputs->parameters[input_name].runtime_value = ir::Value::String(RunPlaceholder(value.name));
      return;
    case Kind::kPipelineInput:
      component_input(group == nullptr ? value.name : "pipelinechannel--" + value.name);
      return;
    case Kind::kTaskOutput: {
      const void* member = MemberIn(group, value.task);
      if (member != value.task) {
        component_input(ChannelOf(value).InputName());
      } else if (is_artifact) {
        inputs->artifacts[input_name].task_output_artifact = {TaskName(value.task), value.name};
      } else {
        inputs->parameters[input_name].task_output_parameter = {TaskName(value.task), value.name};
      }
      return;
    }
    case Kind::kLoopItem: {
      Channel channel = ChannelOf(value);
      // A group inside the loop receives `item.field` as an input of its own. The loop's DAG has
      // only the item, so there the selector reads the field from it.
      if (channel.field.empty() || GroupInputs(group).count(channel.InputName()) != 0) {
        component_input(channel.InputName());
        return;
      }
      component_input(channel.base_input);
      inputs->parameters[input_name].parameter_expression_selector =
          "parseJson(string_value)[\"" + channel.field + "\"]";
      return;
    }
    case Kind::kCollected:
    case Kind::kOneOf:
    case Kind::kTaskFinalStatus:
      ResolveGroupValue(group, input_name, value, is_artifact, inputs);
      return;
    case Kind::kInterpolation:
      inputs->parameters[input_name].runtime_value =
          ir::Value::String(InterpolationText(group, value, inputs));
      return;
    case Kind::kStructure: {
      // The SDK writes the list or dict as a constant with the placeholders in its strings.
      ir::Value structure = ToValue(value.constant);
      for (size_t i = 0; i < value.alternatives.size() && i < value.leaf_paths.size(); ++i) {
        ir::Value* leaf = &structure;
        for (const sema::ValueRef::PathStep& step : value.leaf_paths[i]) {
          leaf = step.is_key ? &std::get<ir::Value::Struct>(leaf->kind)[step.key]
                             : &std::get<ir::Value::List>(leaf->kind).at(step.index);
        }
        *leaf = ir::Value::String(InterpolationText(group, value.alternatives[i], inputs));
      }
      inputs->parameters[input_name].runtime_value = std::move(structure);
      return;
    }
  }
}

// Lowers an interpolated string as the SDK lowers an f-string over pipeline channels: each value
// becomes a `pipelinechannel--<channel>` input of the task, and the text has
// `{{$.inputs.parameters['pipelinechannel--<channel>']}}` in place of the value.
std::string DagPlan::InterpolationText(const void* group, const sema::ValueRef& value,
                                       ir::TaskInputs* inputs) const {
  std::string text;
  for (const sema::ValueRef& piece : value.alternatives) {
    if (piece.kind == sema::ValueRef::Kind::kConstant) {
      if (const auto* literal = std::get_if<std::string>(&piece.constant.value)) text += *literal;
      continue;
    }
    if (piece.kind == sema::ValueRef::Kind::kRunPlaceholder) {
      text += RunPlaceholder(piece.name);
      continue;
    }
    std::string channel_input = ChannelOf(piece).InputName();
    text += "{{$.inputs.parameters['" + channel_input + "']}}";
    ResolveArgument(group, channel_input, piece, false, inputs);
  }
  return text;
}

}  // namespace kfpc::lower
