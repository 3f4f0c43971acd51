#pragma once

// Reading `name = value` settings of artifact types, components, pipelines and tasks.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/check/context.h"

namespace kfpc::check {

using SettingMap = std::map<std::string, const ast::Setting*>;

// Reports an `env NAME = value` setting outside a task's block, in `owner`.
void ReportEnvOutsideTask(Context& context, const ast::Setting& setting, const std::string& owner);

// Returns the help for an unknown `setting` whose name is that of a task setting, or "".
// `in_task_block` is true for a block inside a task's block, such as `retry`, and false for a
// component, an artifact type or a pipeline.
std::string TaskSettingHelp(const ast::Setting& setting, bool in_task_block);

// Indexes `settings` by name. Reports an unknown name (with the closest known one), a duplicate,
// and an `env` setting when `allow_env` is false. `owner` names the place in messages ("component
// `train`"). `env` receives the `env NAME = value` settings in order, when given. Names in
// `repeatable` may be written several times and are left out of the map, so the caller reads
// them from `settings`.
SettingMap CollectSettings(Context& context, const std::vector<ast::Setting>& settings,
                           const std::vector<std::string>& known, const std::string& owner,
                           std::vector<const ast::Setting*>* env = nullptr,
                           const std::vector<std::string>& repeatable = {});
// CollectSettings for the fields of `block`, a block inside a task's block such as `retry`, with
// the block's name in backquotes as the owner.
SettingMap CollectBlockFields(Context& context, const ast::Setting& block,
                              const std::vector<std::string>& fields,
                              const std::vector<std::string>& repeatable = {});

// Reads a setting's value as a constant string, a list of constant strings, a bool or an int.
// Each reports a wrong form or type and returns nullopt.
std::optional<std::string> StringSetting(Context& context, const ast::Setting& setting);
std::optional<std::vector<std::string>> StringListSetting(Context& context,
                                                          const ast::Setting& setting);
std::optional<bool> BoolSetting(Context& context, const ast::Setting& setting);
// `help` replaces the help of IntSetting's type error.
std::optional<int64_t> IntSetting(Context& context, const ast::Setting& setting,
                                  const std::string& help = "");
std::optional<double> FloatSetting(Context& context, const ast::Setting& setting);

// Reports an image reference that no registry can resolve, at `span`: an empty one, one with a
// URL scheme, white space or control characters, or upper case letters in the repository path.
// Returns false after reporting.
bool CheckImageReference(Context& context, const std::string& image, diag::Span span);

// Returns the setting's value expression, or reports that `setting` must be `name = value`.
const ast::Expr* AssignedValue(Context& context, const ast::Setting& setting);

}  // namespace kfpc::check
