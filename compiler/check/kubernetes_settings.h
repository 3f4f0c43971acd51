#pragma once

// Kubernetes settings of tasks, the features of the kfp-kubernetes package: node selectors,
// tolerations, node affinity, Secrets and ConfigMaps, volumes, pod metadata, image pull settings,
// timeouts, security contexts and init containers. Also its built-in components `CreatePVC` and
// `DeletePVC`. Internal to compiler/check, except KubernetesBlockFields(), which the language
// server's completion also reads.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/check/settings.h"

namespace kfpc::check {

// Checks a value that the backend reads when the task runs, such as the name of a Secret, as a
// task argument of type `expected` is checked, and returns its reference. Reports a mistake and
// returns nullopt.
using RuntimeValueChecker = std::function<std::optional<sema::ValueRef>(
    const ast::Expr& expr, const sema::Type& expected, const std::string& what)>;

// The names of the Kubernetes task settings.
const std::vector<std::string>& KubernetesSettingNames();

// The Kubernetes task settings that may be written several times, such as `toleration { ... }`.
const std::vector<std::string>& RepeatableKubernetesSettings();

// Returns the fields of the Kubernetes block setting at `path`, or null when `path` names no
// block. The path is a setting's name, such as "toleration", or for a block inside a setting, the
// two names joined by a dot, such as "node_affinity.match_expression". The checker reads each
// block with these fields.
const std::vector<std::string>* KubernetesBlockFields(std::string_view path);

// Checks the Kubernetes settings of a task's block into `task.kubernetes`. `settings` indexes
// the settings written once (CollectSettings with RepeatableKubernetesSettings()); `block` is
// the whole block, where the repeatable ones are read in order.
void CheckKubernetesSettings(Context& context, const SettingMap& settings,
                             const std::vector<ast::Setting>& block,
                             const RuntimeValueChecker& check_value, sema::Task& task);

// Returns the built-in component `name` (`CreatePVC` or `DeletePVC`, as kfp-kubernetes defines
// them), or null when `name` is not one. The components are shared and never change.
const sema::Component* KubernetesComponent(const std::string& name);

}  // namespace kfpc::check
