#include "compiler/lower/definitions.h"

#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace kfpc::lower {

ir::ParameterType ToParameterType(sema::ParamType type) {
  switch (type) {
    case sema::ParamType::kString: return ir::ParameterType::kString;
    case sema::ParamType::kInt: return ir::ParameterType::kNumberInteger;
    case sema::ParamType::kFloat: return ir::ParameterType::kNumberDouble;
    case sema::ParamType::kBool: return ir::ParameterType::kBoolean;
    case sema::ParamType::kList: return ir::ParameterType::kList;
    case sema::ParamType::kDict: return ir::ParameterType::kStruct;
    case sema::ParamType::kTaskFinalStatus: return ir::ParameterType::kTaskFinalStatus;
  }
  return ir::ParameterType::kUnspecified;
}

ir::Value ToValue(const sema::Constant& constant) {
  return std::visit(
      [](const auto& v) -> ir::Value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return ir::Value::Null();
        } else if constexpr (std::is_same_v<T, bool>) {
          return ir::Value::Bool(v);
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          return ir::Value::Number(static_cast<double>(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return ir::Value::String(v);
        } else if constexpr (std::is_same_v<T, sema::Constant::List>) {
          ir::Value::List list;
          for (const sema::Constant& item : v) list.push_back(ToValue(item));
          return ir::Value::FromList(std::move(list));
        } else {
          ir::Value::Struct fields;
          for (const auto& [key, item] : v) fields[key] = ToValue(item);
          return ir::Value::FromStruct(std::move(fields));
        }
      },
      constant.value);
}

ir::ArtifactTypeSchema ToArtifactSchema(const sema::ArtifactType& type) {
  return ir::ArtifactTypeSchema{type.schema_title, type.schema_version};
}

ir::InputsSpec ToInputDefinitions(const std::vector<sema::InputDef>& inputs) {
  ir::InputsSpec spec;
  for (const sema::InputDef& input : inputs) {
    bool optional = input.optional || input.default_value.has_value();
    if (input.type.is_artifact) {
      ir::InputArtifactDef& def = spec.artifacts[input.name];
      def.artifact_type = ToArtifactSchema(input.type.artifact);
      def.is_artifact_list = input.type.is_list;
      def.is_optional = optional;
      def.description = input.description;
      continue;
    }
    ir::InputParameterDef& def = spec.parameters[input.name];
    def.parameter_type = ToParameterType(input.type.param);
    def.description = input.description;
    if (input.type.param == sema::ParamType::kTaskFinalStatus) {
      def.is_optional = true;
      continue;
    }
    def.is_optional = optional;
    bool is_none = input.default_value &&
                   std::holds_alternative<std::monostate>(input.default_value->value);
    if (optional && input.default_value && !is_none) {
      def.default_value = ToValue(*input.default_value);
    }
  }
  return spec;
}

ir::OutputsSpec ToOutputDefinitions(const std::vector<sema::OutputDef>& outputs) {
  ir::OutputsSpec spec;
  for (const sema::OutputDef& output : outputs) {
    if (output.type.is_artifact) {
      ir::OutputArtifactDef& def = spec.artifacts[output.name];
      def.artifact_type = ToArtifactSchema(output.type.artifact);
      def.is_artifact_list = output.type.is_list;
      def.description = output.description;
    } else {
      ir::OutputParameterDef& def = spec.parameters[output.name];
      def.parameter_type = ToParameterType(output.type.param);
      def.description = output.description;
    }
  }
  return spec;
}

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

ir::ParameterType ConstantParameterType(const sema::Constant& constant) {
  switch (constant.value.index()) {
    case 1: return ir::ParameterType::kBoolean;
    case 2: return ir::ParameterType::kNumberInteger;
    case 3: return ir::ParameterType::kNumberDouble;
    case 5: return ir::ParameterType::kList;
    case 6: return ir::ParameterType::kStruct;
    default: return ir::ParameterType::kString;
  }
}


}  // namespace kfpc::lower
