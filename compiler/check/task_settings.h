#pragma once

// The setting names that the block after a task call accepts, as task_settings.cc checks them,
// for tools that list them without checking a program, such as the language server's completion.

#include <string>
#include <vector>

namespace kfpc::check {

// The settings of a task's block: kfpc's own, then the Kubernetes ones. The block also accepts
// `env NAME = value`, which is not in this list.
const std::vector<std::string>& TaskSettingNames();

// The fields of a task's `retry { ... }` block.
const std::vector<std::string>& RetrySettingNames();

}  // namespace kfpc::check
