#pragma once

// The `kfpc check --format json` document: every diagnostic of every checked file with its code,
// severity, text, labels, fix and positions. Its layout is described in README.md ("Code
// scanning"); `formatVersion` changes when a field changes meaning or is removed.

#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/report/report.h"

namespace kfpc::report {

// Builds the JSON document for `files`, in the order given, each file's diagnostics sorted by
// position as the text output sorts them.
nlohmann::ordered_json JsonReport(const std::vector<CheckedFile>& files);

}  // namespace kfpc::report
