#include "runtime/ir/pipeline_spec.h"

namespace kfpc::ir {

const char* ParameterTypeName(ParameterType type) {
  switch (type) {
    case ParameterType::kUnspecified:
      return "PARAMETER_TYPE_ENUM_UNSPECIFIED";
    case ParameterType::kNumberDouble:
      return "NUMBER_DOUBLE";
    case ParameterType::kNumberInteger:
      return "NUMBER_INTEGER";
    case ParameterType::kString:
      return "STRING";
    case ParameterType::kBoolean:
      return "BOOLEAN";
    case ParameterType::kList:
      return "LIST";
    case ParameterType::kStruct:
      return "STRUCT";
    case ParameterType::kTaskFinalStatus:
      return "TASK_FINAL_STATUS";
  }
  return "PARAMETER_TYPE_ENUM_UNSPECIFIED";
}

}  // namespace kfpc::ir
