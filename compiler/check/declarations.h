#pragma once

// Checking of the top-level declarations other than pipeline bodies: artifact types, component
// and pipeline interfaces, and components with their settings.

#include <memory>

#include "compiler/check/context.h"

namespace kfpc::check {

struct Interface {
  std::vector<sema::InputDef> inputs;
  std::vector<sema::OutputDef> outputs;
  bool complete = true;  // false when a type or default had an error
};

// Checks the inputs and outputs of a component or pipeline: types, defaults and duplicate names.
// Inputs whose type has an error are left out and recorded in `context.broken_inputs`.
Interface CheckInterface(Context& context, const ast::Decl& decl);

// The settings that a component declaration accepts: those of a container component, then those
// that only a Python function component takes. For tools that list them, such as completion.
std::vector<std::string> ComponentSettingNames();
// Reads `name = "..."`, the name that a component's or pipeline's IR names derive from in place
// of its declared name, as a KFP component's own name. Reports a name with no letter or digit.
std::optional<std::string> IrNameSetting(Context& context, const ast::Setting& setting);

// The settings of a container component and of a Python function component (with `python`).
const std::vector<std::string>& ContainerComponentSettingNames();
const std::vector<std::string>& PythonComponentSettingNames();

// The settings of an `artifact` declaration.
const std::vector<std::string>& ArtifactSettingNames();

// The settings of a pipeline's body, such as `display_name`.
const std::vector<std::string>& PipelineSettingNames();
// The fields of a pipeline's `workspace { ... }` block.
const std::vector<std::string>& WorkspaceFieldNames();

// Checks `artifact Name { schema_title = ... schema_version = ... }`.
sema::ArtifactType CheckArtifact(Context& context, const ast::Decl& decl);

// Checks a container or Python component declaration.
std::unique_ptr<sema::Component> CheckComponent(Context& context, const ast::Decl& decl);

// Lowers the `command` or `args` list of a container component into placeholders.
std::vector<sema::CommandArg> LowerCommandList(Context& context, const ast::Setting& setting,
                                               const sema::Component& component);

// Reads the `python` setting: finds the function, checks its name and matches its signature
// against the component's interface.
void CheckPythonFunction(Context& context, const ast::Expr& source, sema::Component& component);

}  // namespace kfpc::check
