// Trigger conditions of condition groups in CEL, as the KFP SDK writes them: `int()` around
// integer inputs, `double()` where an integer meets a float, and `!(previous) && current` for
// the later branches of an if/else chain. kfpc differs from the SDK in two deliberate ways: a
// string literal is escaped, so a quote inside it cannot end the literal early, and an explicit
// conversion (`int(x)`, `float(x)`, `string(x)`) becomes the matching CEL conversion.

#include <string>

#include "compiler/lower/dag_plan.h"
#include "compiler/lower/definitions.h"
#include "compiler/lower/pipeline_builder.h"

namespace kfpc::lower {
namespace {

using Condition = sema::Group::Condition;

// A CEL single-quoted string literal. The SDK writes the text between quotes unescaped.
std::string CelString(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "'";
}

std::string CelConstant(const sema::Constant& constant) {
  const auto& v = constant.value;
  if (const std::string* s = std::get_if<std::string>(&v)) return CelString(*s);
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const int64_t* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v)) return PythonFloat(*d);
  return "null";
}

// Wraps `text`, a value of type `from`, in the CEL conversion to `to`.
std::string Convert(const std::string& text, ir::ParameterType from, ir::ParameterType to) {
  if (from == to) return text;
  switch (to) {
    case ir::ParameterType::kNumberInteger: return "int(" + text + ")";
    case ir::ParameterType::kNumberDouble: return "double(" + text + ")";
    case ir::ParameterType::kString: return "string(" + text + ")";
    default: return text;
  }
}

}  // namespace

std::string PipelineBuilder::CelOperand(const sema::ValueRef& value,
                                        std::optional<sema::ParamType> conversion,
                                        const sema::Group* group, ir::ParameterType target,
                                        ir::ParameterType* type) const {
  std::string text;
  if (value.kind == sema::ValueRef::Kind::kConstant) {
    *type = ConstantParameterType(value.constant);
    text = CelConstant(value.constant);
  } else {
    *type = ToParameterType(value.type.param);
    bool fan_in = value.kind == sema::ValueRef::Kind::kCollected ||
                  value.kind == sema::ValueRef::Kind::kOneOf;
    Channel channel = fan_in ? plan_->FanInChannel(plan_->FanInOf(plan_->GroupChain(group), value))
                             : plan_->ChannelOf(value);
    text = "inputs.parameter_values['" + channel.InputName() + "']";
    // Parameter values are protobuf Values, so an integer input arrives as a double.
    if (*type == ir::ParameterType::kNumberInteger) text = "int(" + text + ")";
  }
  if (conversion) {
    ir::ParameterType to = ToParameterType(*conversion);
    text = Convert(text, *type, to);
    *type = to;
  }
  if (*type == target || target == ir::ParameterType::kUnspecified) return text;
  // The SDK's implicit conversions; the checker admits only int against float.
  if (target == ir::ParameterType::kString) return "'" + text + "'";
  if (target == ir::ParameterType::kNumberDouble) return "double(" + text + ")";
  return text;
}

std::string PipelineBuilder::Cel(const Condition& condition, const sema::Group* group) const {
  switch (condition.kind) {
    case Condition::Kind::kCompare: {
      ir::ParameterType left_type, right_type;
      const auto unconverted = ir::ParameterType::kUnspecified;
      CelOperand(condition.left, condition.left_conversion, group, unconverted, &left_type);
      CelOperand(condition.right, condition.right_conversion, group, unconverted, &right_type);
      ir::ParameterType target = left_type;
      if (left_type != right_type) {
        bool has_string = left_type == ir::ParameterType::kString ||
                          right_type == ir::ParameterType::kString;
        target = has_string ? ir::ParameterType::kString : ir::ParameterType::kNumberDouble;
      }
      std::string left =
          CelOperand(condition.left, condition.left_conversion, group, target, &left_type);
      std::string right =
          CelOperand(condition.right, condition.right_conversion, group, target, &right_type);
      return left + " " + condition.op + " " + right;
    }
    case Condition::Kind::kNot:
      return "!(" + Cel(*condition.operands.at(0), group) + ")";
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      std::string joined;
      const char* separator = condition.kind == Condition::Kind::kAnd ? " && " : " || ";
      for (size_t i = 0; i < condition.operands.size(); ++i) {
        if (i > 0) joined += separator;
        const Condition& operand = *condition.operands[i];
        bool nested = operand.kind == Condition::Kind::kAnd || operand.kind == Condition::Kind::kOr;
        joined += nested ? "(" + Cel(operand, group) + ")" : Cel(operand, group);
      }
      return joined;
    }
  }
  return "";
}

}  // namespace kfpc::lower
