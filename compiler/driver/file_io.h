#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/source_manager.h"
#include "compiler/diagnostics/write_file.h"
#include "compiler/parse/limits.h"

namespace kfpc::driver {

// Defined in the diagnostics library so that `kfpc lock` (compiler/images) can use it too.
using diag::WriteFileAtomically;

// Writes `contents` to the file `path` with WriteFileAtomically. On failure reports it to `err`
// and returns false. A directory `path` is reported as one, with a help note that suggests a file
// named `example` in it, such as `pipeline.yaml`.
bool WriteOutputFile(const std::string& path, const std::string& contents,
                     std::string_view example, std::ostream& err);

// Reports to `err` that the file `output` is `input`, or leads to it through a link, which
// `command` (`build` or `check`) reads, so writing `what` (`YAML`) would replace it. `help`
// suggests another output file.
void ReportOutputIsInput(const std::string& output, const std::string& input,
                         std::string_view command, std::string_view what, std::string_view help,
                         std::ostream& err);

// Returns the first of `inputs` that names the same file as `output`, directly or through a link,
// or an empty string when none does or `output` does not exist yet.
std::string SameFileAmong(const std::string& output, const std::vector<std::string>& inputs);

// Returns the paths of every file that a build or check of `root_source` reads: the sources in
// `sources` (the root file and its imports) and the project's kfpc.yaml and kfpc.lock.
std::vector<std::string> InputFiles(const std::string& root_source,
                                    const diag::SourceManager& sources);

// Reads the whole file at `path`. On failure stores the OS error in `error` and returns false; a
// file larger than `max_bytes` (the source file limit by default) is a failure too, and a regular
// file is rejected on its size before any of it is read.
bool ReadWholeFile(const std::string& path, std::string* contents, std::string* error,
                   size_t max_bytes = parse::kMaxFileBytes);

// Returns "YAML" or "JSON" when `path` names a file of that kind by its extension, such as the
// X.yaml that a shell glob picks up beside X.kf, and "" otherwise.
std::string OutputKindOf(const std::string& path);
// The message and help for such a file given where a .kf source is expected.
std::string NotSourceMessage(const std::string& path, const std::string& kind);
std::string NotSourceHelp(const std::string& path);

}  // namespace kfpc::driver
