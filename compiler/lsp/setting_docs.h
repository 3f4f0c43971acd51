#pragma once

// One-paragraph descriptions of the settings of components, artifact types, pipelines and tasks,
// for the language server's hover.

#include <string>
#include <string_view>
#include <vector>

namespace kfpc::lsp {

// The declaration, or the block of a task, that contains a setting.
enum class SettingOwner { kComponent, kArtifact, kPipeline, kTask };

// Returns the markdown description of the setting at `path` (`{"retry", "max"}` for `max` in a
// task's `retry` block), or "" when the setting is not known there.
std::string SettingDoc(SettingOwner owner, const std::vector<std::string>& path);

// Returns the names that have a description directly under `path` in a block of `owner`. Tests
// compare them with the names that the checker accepts.
std::vector<std::string> DocumentedSettings(SettingOwner owner, std::string_view path = {});

}  // namespace kfpc::lsp
