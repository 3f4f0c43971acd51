#include "compiler/sema/program.h"

namespace kfpc::sema {

namespace {

std::string ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "string";
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kBool:
      return "bool";
    case ParamType::kList:
      return "list";
    case ParamType::kDict:
      return "dict";
    case ParamType::kTaskFinalStatus:
      return "PipelineTaskFinalStatus";
  }
  return "string";
}

}  // namespace

std::string Type::ToString() const {
  if (is_artifact) {
    return is_list ? "list<" + artifact.name + ">" : artifact.name;
  }
  std::string name = ParamTypeName(param);
  if (!element) return name;
  if (param == ParamType::kDict) return "dict<string, " + element->ToString() + ">";
  return name + "<" + element->ToString() + ">";
}

const InputDef* Component::FindInput(const std::string& input_name) const {
  return input_index_.Find(inputs, input_name);
}

const OutputDef* Component::FindOutput(const std::string& output_name) const {
  return output_index_.Find(outputs, output_name);
}

}  // namespace kfpc::sema
