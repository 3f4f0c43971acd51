// Lowering of control-flow groups: condition, loop and exit-handler DAG components, the
// `condition-branches-N` wrapper of if/else chains, exit tasks and the root DAG's outputs.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compiler/lower/dag_plan.h"
#include "compiler/lower/definitions.h"
#include "compiler/lower/pipeline_builder.h"
#include "compiler/lower/placeholders.h"

namespace kfpc::lower {
namespace {

using Condition = sema::Group::Condition;

// Python's repr of a float: the shortest digits that read back, fixed notation for exponents in
// [-4, 16), otherwise `1e-05` style.
std::string PythonFloat(double value) {
  char buffer[40];
  int precision = 1;
  for (; precision < 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*e", precision - 1, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::snprintf(buffer, sizeof(buffer), "%.*e", precision - 1, value);
  std::string text = buffer;
  size_t e = text.find('e');
  int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  bool negative = text[0] == '-';
  for (size_t i = negative ? 1 : 0; i < e; ++i) {
    if (text[i] != '.') digits.push_back(text[i]);
  }
  std::string sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) mantissa += "." + digits.substr(1);
    std::snprintf(buffer, sizeof(buffer), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return sign + mantissa + buffer;
  }
  if (exponent < 0) return sign + "0." + std::string(-exponent - 1, '0') + digits;
  if (static_cast<int>(digits.size()) <= exponent + 1) {
    return sign + digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
  }
  return sign + digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
}

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

ir::ParameterType ConstantType(const sema::Constant& constant) {
  switch (constant.value.index()) {
    case 1: return ir::ParameterType::kBoolean;
    case 2: return ir::ParameterType::kNumberInteger;
    case 3: return ir::ParameterType::kNumberDouble;
    case 5: return ir::ParameterType::kList;
    case 6: return ir::ParameterType::kStruct;
    default: return ir::ParameterType::kString;
  }
}

}  // namespace

// The CEL text of one comparison, with the SDK's casts: int() around integer inputs, and
// double() or quotes where the two sides have different types.
std::string PipelineBuilder::CelOperand(const sema::ValueRef& value, ir::ParameterType target,
                                        ir::ParameterType* type) const {
  std::string text;
  if (value.kind == sema::ValueRef::Kind::kConstant) {
    *type = ConstantType(value.constant);
    const auto& v = value.constant.value;
    if (const std::string* s = std::get_if<std::string>(&v)) {
      text = "'" + *s + "'";
    } else if (const bool* b = std::get_if<bool>(&v)) {
      text = *b ? "true" : "false";
    } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
      text = std::to_string(*i);
    } else if (const double* d = std::get_if<double>(&v)) {
      text = PythonFloat(*d);
    }
  } else {
    *type = ToParameterType(value.type.param);
    text = "inputs.parameter_values['" + plan_->ChannelOf(value).InputName() + "']";
    if (*type == ir::ParameterType::kNumberInteger) text = "int(" + text + ")";
  }
  if (*type == target) return text;
  if (target == ir::ParameterType::kString) return "'" + text + "'";
  if (target == ir::ParameterType::kNumberDouble) return "double(" + text + ")";
  return text;
}

std::string PipelineBuilder::Cel(const Condition& condition) const {
  switch (condition.kind) {
    case Condition::Kind::kCompare: {
      ir::ParameterType left_type, right_type;
      CelOperand(condition.left, ir::ParameterType::kUnspecified, &left_type);
      CelOperand(condition.right, ir::ParameterType::kUnspecified, &right_type);
      ir::ParameterType target = left_type;
      if (left_type != right_type) {
        bool has_string = left_type == ir::ParameterType::kString ||
                          right_type == ir::ParameterType::kString;
        target = has_string ? ir::ParameterType::kString : ir::ParameterType::kNumberDouble;
      }
      return CelOperand(condition.left, target, &left_type) + " " + condition.op + " " +
             CelOperand(condition.right, target, &right_type);
    }
    case Condition::Kind::kNot:
      return "!(" + Cel(*condition.operands.at(0)) + ")";
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      std::string joined;
      const char* separator = condition.kind == Condition::Kind::kAnd ? " && " : " || ";
      for (size_t i = 0; i < condition.operands.size(); ++i) {
        if (i > 0) joined += separator;
        const Condition& operand = *condition.operands[i];
        bool nested = operand.kind == Condition::Kind::kAnd || operand.kind == Condition::Kind::kOr;
        joined += nested ? "(" + Cel(operand) + ")" : Cel(operand);
      }
      return joined;
    }
  }
  return "";
}

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
    bool local = member != nullptr && member == channel.producer;
    if (channel.is_artifact) {
      ir::TaskInputArtifact& input = task.inputs.artifacts[name];
      if (local) {
        input.task_output_artifact = {plan_->TaskName(channel.producer), channel.output};
      } else {
        input.component_input_artifact = parent_is_root ? channel.full_name : name;
      }
    } else {
      ir::TaskInputParameter& input = task.inputs.parameters[name];
      if (local) {
        input.task_output_parameter = {plan_->TaskName(channel.producer), channel.output};
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
  ir::ComponentSpec component = GroupComponent(node);
  if (group->kind == sema::Group::Kind::kCondition) {
    // A later branch of a chain runs when every earlier condition is false.
    std::vector<std::string> terms;
    for (const auto& previous : group->previous_conditions) {
      terms.push_back("!(" + Cel(*previous) + ")");
    }
    if (group->condition) terms.push_back(Cel(*group->condition));
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
    if (list != nullptr && !list->empty()) item_type = ConstantType(list->front());
    std::string raw;
    AppendPythonJson(items.constant, &raw);
    task->parameter_iterator = ir::ParameterIterator{raw, std::nullopt, item_input};
  } else if (items.type.is_artifact) {
    task->artifact_iterator = ir::ArtifactIterator{plan_->ChannelOf(items).InputName(), item_input};
  } else {
    task->parameter_iterator =
        ir::ParameterIterator{std::nullopt, plan_->ChannelOf(items).InputName(), item_input};
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
