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

std::string SanitizeK8sName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
    // Every other byte, '-' included, becomes a separator; runs collapse to one '-'.
    if (keep) {
      out.push_back(lower);
    } else if (out.empty() || out.back() != '-') {
      out.push_back('-');
    }
  }
  size_t begin = out.find_first_not_of('-');
  if (begin == std::string::npos) return "";
  size_t end = out.find_last_not_of('-');
  return out.substr(begin, end - begin + 1);
}

}  // namespace kfpc::sema
