#pragma once

// The `kfpc check --format sarif` document: a SARIF 2.1.0 log with one run whose rules are every
// registered diagnostic kind and whose results are the diagnostics of the checked files. Columns
// count UTF-16 code units, the SARIF default.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/report/report.h"

namespace kfpc::report {

struct SarifOptions {
  std::string tool_version;
  // Absolute directory that artifact URIs are relative to, under the base id `%SRCROOT%`.
  std::filesystem::path root;
  // Absolute directory that relative file paths are resolved against (the current directory).
  std::filesystem::path working_directory;
};

// Builds the SARIF log for `files`. A diagnostic without a location (a path that failed to read)
// becomes a tool execution notification and makes `executionSuccessful` false. A file outside
// `root` gets an absolute `file:` URI without a base id.
nlohmann::ordered_json SarifReport(const std::vector<CheckedFile>& files,
                                   const SarifOptions& options);

// Percent-encodes `path` (with `/` separators) for a URI reference: every byte outside the
// RFC 3986 unreserved characters and `/` becomes `%XX`.
std::string EncodeUriPath(const std::string& path);

}  // namespace kfpc::report
