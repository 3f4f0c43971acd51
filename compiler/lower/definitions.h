#pragma once

// Component interfaces in the IR: parameter types, default values and the input and output
// definitions of components and pipelines.

#include <string>
#include <vector>

#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

namespace kfpc::lower {

ir::ParameterType ToParameterType(sema::ParamType type);

// Converts a constant to a protobuf Value; integers become doubles, as in protobuf.
ir::Value ToValue(const sema::Constant& constant);

// Python's repr of a float: the shortest digits that read back, fixed notation for exponents in
// [-4, 16), otherwise `1e-05` style.
std::string PythonFloat(double value);

// The parameter type of a constant's value: a string for `none`.
ir::ParameterType ConstantParameterType(const sema::Constant& constant);

ir::ArtifactTypeSchema ToArtifactSchema(const sema::ArtifactType& type);

// Builds inputDefinitions as the SDK does: a PipelineTaskFinalStatus input is optional without a
// default, an optional parameter carries its default unless it is `none`.
ir::InputsSpec ToInputDefinitions(const std::vector<sema::InputDef>& inputs);

ir::OutputsSpec ToOutputDefinitions(const std::vector<sema::OutputDef>& outputs);

}  // namespace kfpc::lower
