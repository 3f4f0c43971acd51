#pragma once

#include <string>
#include <vector>

#include "runtime/ir/pipeline_spec.h"

namespace kfpc::yaml {

// Returns the lines of the header comment that the SDK writes before the PipelineSpec
// ("# PIPELINE DEFINITION", "# Name: ...", inputs, outputs), each without a line break.
std::vector<std::string> HeaderLines(const ir::PipelineSpec& spec);

// Writes the document as the KFP SDK does: the header comment, the PipelineSpec with sorted keys,
// and, when the platform spec is not empty, a `---` and the PlatformSpec. The only place in kfpc
// that produces YAML text.
std::string WriteDocument(const ir::Document& document);

}  // namespace kfpc::yaml
