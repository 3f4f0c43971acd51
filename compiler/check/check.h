#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/program.h"

namespace kfpc::check {

// Reads an imported file. Returns nullopt when the file does not exist or cannot be read; the
// language server passes a loader that prefers its open buffers over the disk.
using FileLoader = std::function<std::optional<std::string>(const std::string& path)>;

// Reads files from the disk.
FileLoader DiskLoader();

// The names that `run.NAME` reads, such as `job_name` and `workspace_path`.
const std::vector<std::string>& RunPlaceholderNames();

struct CheckOptions {
  // The pipeline to compile when the root file declares several; empty means the only one.
  std::string entry_pipeline;
  // When false, a root file with several pipelines that none of them calls, and no
  // `entry_pipeline`, is not an error: `program.entry` stays null and `program.roots` lists
  // them. `kfpc check`, `kfpc lock` and the language server check such a file as it is.
  bool require_entry = true;
  // Absolute directories outside the project that imports may read: `import_directories` of
  // kfpc.yaml.
  std::vector<std::string> import_directories;
};

// Returns the options of `kfpc check`, `kfpc lock` and the language server, which choose no
// pipeline.
inline CheckOptions OptionsWithoutEntry() {
  CheckOptions options;
  options.require_entry = false;
  return options;
}

// The result of checking: every parsed file (for the language server) and the checked program.
struct CheckResult {
  std::vector<ast::File> files;             // index = FileId
  std::unique_ptr<sema::Program> program;  // never null; incomplete when there are errors
  // The file each import declaration loaded, keyed by the importing file and the byte offset
  // where the import's path starts. A path that was not found is absent.
  std::map<std::pair<diag::FileId, uint32_t>, diag::FileId> imports;
};

// Parses `root` (already added to `sources`), loads and parses its imports with `loader`,
// resolves names and checks types. Reports every error to `sink` and keeps going, so that one
// mistake yields one message. `program.entry` is null when the root file has no pipeline to
// compile or when there are errors.
CheckResult Check(diag::SourceManager& sources, diag::FileId root, const FileLoader& loader,
                  diag::DiagnosticSink& sink, const CheckOptions& options = {});

}  // namespace kfpc::check
