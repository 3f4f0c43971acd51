// Lowering of control-flow groups: condition, loop and exit-handler DAG components, the
// `condition-branches-N` wrapper of if/else chains, exit tasks and the root DAG's outputs.

#include <string>
#include <vector>

#include "compiler/lower/dag_plan.h"
#include "compiler/lower/definitions.h"
#include "compiler/lower/pipeline_builder.h"
#include "compiler/lower/placeholders.h"

namespace kfpc::lower {
namespace {

// json.dumps(value, sort_keys=True) with Python's default separators.
void AppendPythonJson(const sema::Constant& constant, std::string* out) {
  const auto& v = constant.value;
  if (std::holds_alternative<std::monostate>(v)) {
    out->append("null");
  } else if (const bool* b = std::get_if<bool>(&v)) {
    out->append(*b ? "true" : "false");
  } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
    out->append(std::to_string(*i));
  } else if (const double* d = std::get_if<double>(&v)) {
    out->append(PythonFloat(*d));
  } else if (const std::string* s = std::get_if<std::string>(&v)) {
    AppendJsonString(*s, out);
  } else if (const auto* list = std::get_if<sema::Constant::List>(&v)) {
    out->push_back('[');
    for (size_t k = 0; k < list->size(); ++k) {
      if (k > 0) out->append(", ");
      AppendPythonJson((*list)[k], out);
    }
    out->push_back(']');
  } else {
    const auto& map = std::get<sema::Constant::Map>(v);
    out->push_back('{');
    bool first = true;
    for (const auto& [key, item] : map) {
      if (!first) out->append(", ");
      first = false;
      AppendJsonString(key, out);
      out->append(": ");
      AppendPythonJson(item, out);
    }
    out->push_back('}');
  }
}

}  // namespace

// The component of a group's DAG: one input per channel that crosses into it.
ir::ComponentSpec PipelineBuilder::GroupComponent(const void* node) const {
  ir::ComponentSpec spec;
  spec.dag.emplace();
  for (const auto& [name, channel] : plan_->GroupInputs(node)) {
    if (channel.is_artifact) {
      ir::InputArtifactDef& def = spec.input_definitions.artifacts[name];
      def.artifact_type = ToArtifactSchema(channel.type.artifact);
      def.is_artifact_list = channel.type.is_list;
    } else {
      spec.input_definitions.parameters[name].parameter_type = ToParameterType(channel.type.param);
    }
  }
  for (const auto& [name, output] : plan_->GroupOutputs(node)) {
    if (output.type.is_artifact) {
      ir::OutputArtifactDef& def = spec.output_definitions.artifacts[name];
      def.artifact_type = ToArtifactSchema(output.type.artifact);
      def.is_artifact_list = output.type.is_list;
      for (const auto& [producer, key] : output.selectors) {
        spec.dag->outputs.artifacts[name].push_back({producer, key});
      }
    } else {
      spec.output_definitions.parameters[name].parameter_type = ToParameterType(output.type.param);
      ir::DagOutputs::Parameter& parameter = spec.dag->outputs.parameters[name];
      for (const auto& [producer, key] : output.selectors) {
        parameter.selectors.push_back({producer, key});
      }
      parameter.from_oneof = output.from_oneof;
    }
  }
  return spec;
}

// The task of a group in its parent's DAG, wired to every channel the group needs.
ir::TaskSpec PipelineBuilder::GroupTask(const void* node, const void* parent_group) const {
  ir::TaskSpec task;
  task.task_info_name = plan_->MemberName(node);
  task.dependent_tasks = plan_->Dependencies(node);
  bool parent_is_root = parent_group == nullptr;
  for (const auto& [name, channel] : plan_->GroupInputs(node)) {
    const void* member = channel.producer ? plan_->MemberIn(parent_group, channel.producer)
                                          : nullptr;
    const void* source = channel.member != nullptr ? channel.member : channel.producer;
    bool local = member != nullptr && member == source;
    if (channel.is_artifact) {
      ir::TaskInputArtifact& input = task.inputs.artifacts[name];
      if (local) {
        input.task_output_artifact = {plan_->MemberName(member), channel.output};
      } else {
        input.component_input_artifact = parent_is_root ? channel.full_name : name;
      }
    } else {
      ir::TaskInputParameter& input = task.inputs.parameters[name];
      if (local) {
        input.task_output_parameter = {plan_->MemberName(member), channel.output};
      } else if (!channel.field.empty() && plan_->GroupInputs(parent_group).count(name) == 0) {
        // The parent is the loop, whose DAG has the item: the selector reads the field.
        input.component_input_parameter = channel.base_input;
        input.parameter_expression_selector = "parseJson(string_value)[\"" + channel.field + "\"]";
      } else {
        input.component_input_parameter = parent_is_root ? channel.full_name : name;
      }
    }
  }
  return task;
}

void PipelineBuilder::AddGroup(const sema::Group& group, const sema::Group* parent_group,
                               ir::ComponentSpec* parent) {
  if (const void* wrapper = plan_->ChainNode(&group)) {
    // Only the chain's wrapper sits in the parent's DAG; it is added once, for the first branch.
    if (group_components_.count(wrapper) != 0) return;
    ir::TaskSpec task = GroupTask(wrapper, parent_group);
    std::string name = plan_->MemberName(wrapper);
    group_components_[wrapper] = AddGroupComponent("comp-" + name, &task, GroupComponent(wrapper));
    parent->dag->tasks[name] = std::move(task);
    return;
  }
  AddGroupTask(&group, &group, parent_group, parent);
}

void PipelineBuilder::AddGroupTask(const void* node, const sema::Group* group,
                                   const void* parent_group, ir::ComponentSpec* parent) {
  ir::TaskSpec task = GroupTask(node, parent_group);
  // `try "name"` names the handler's task as ExitHandler(name=...) does; the DAG keeps its name.
  if (node == group && !group->display_name.empty()) task.task_info_name = group->display_name;
  ir::ComponentSpec component = GroupComponent(node);
  if (group->kind == sema::Group::Kind::kCondition) {
    // A later branch of a chain runs when every earlier condition is false.
    std::vector<std::string> terms;
    for (const auto& previous : group->previous_conditions) {
      terms.push_back("!(" + Cel(*previous, group) + ")");
    }
    if (group->condition) terms.push_back(Cel(*group->condition, group));
    std::string cel;
    for (size_t i = 0; i < terms.size(); ++i) cel += (i > 0 ? " && " : "") + terms[i];
    task.trigger_condition = cel;
  } else if (group->kind == sema::Group::Kind::kLoop) {
    SetLoopIterator(*group, &task, &component);
  }
  std::string name = plan_->MemberName(node);
  group_components_[node] = AddGroupComponent("comp-" + name, &task, std::move(component));
  parent->dag->tasks[name] = std::move(task);
}

void PipelineBuilder::SetLoopIterator(const sema::Group& loop, ir::TaskSpec* task,
                                      ir::ComponentSpec* component) const {
  std::string item_input = plan_->LoopItemInput(&loop);
  const sema::ValueRef& items = loop.iterable;
  ir::ParameterType item_type = ir::ParameterType::kString;
  if (items.type.element) {
    item_type = ToParameterType(items.type.element->param);
  }
  if (items.kind == sema::ValueRef::Kind::kConstant) {
    const auto* list = std::get_if<sema::Constant::List>(&items.constant.value);
    if (list != nullptr && !list->empty()) item_type = ConstantParameterType(list->front());
    std::string raw;
    AppendPythonJson(items.constant, &raw);
    task->parameter_iterator = ir::ParameterIterator{raw, std::nullopt, item_input};
  } else if (items.type.is_artifact) {
    task->artifact_iterator =
        ir::ArtifactIterator{plan_->IterableChannel(loop).InputName(), item_input};
  } else {
    task->parameter_iterator =
        ir::ParameterIterator{std::nullopt, plan_->IterableChannel(loop).InputName(), item_input};
  }
  if (!items.type.is_artifact) {
    component->input_definitions.parameters[item_input].parameter_type = item_type;
  }
  task->inputs.parameters.erase(item_input);
  task->inputs.artifacts.erase(item_input);
  if (loop.parallelism && *loop.parallelism > 0) {
    task->parallelism_limit = static_cast<int32_t>(*loop.parallelism);
  }
}

}  // namespace kfpc::lower
