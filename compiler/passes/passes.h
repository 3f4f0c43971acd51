#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/images/lock_file.h"
#include "compiler/passes/cache_key.h"
#include "compiler/passes/kfp_version.h"
#include "compiler/passes/project_config.h"
#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

// The architecture-aware passes that run on a lowered pipeline: target choice, placement, image
// pinning, KFP backend version checks and cache keys. None of them touches the network.
namespace kfpc::passes {

// A lock file read once. `loaded` is true after the read, and `usable` when the passes may pin
// images: a missing lock file that no option named is usable and pins nothing.
struct LockCache {
  bool loaded = false;
  bool usable = false;
  std::optional<images::LockFile> lock;
};

struct PassOptions {
  std::optional<std::string> target;  // `--target`
  ProjectConfig config;               // from `kfpc.yaml`, or empty
  KfpVersion kfp_backend;             // X.Y of `--kfp-version`, 2.14 by default
  // Check every Kubernetes field against `kfp_backend`, not only when a task has a target.
  bool kfp_backend_given = false;
  // The lock file to pin images from; read only when a task has a target. Empty means none.
  std::string lock_path;
  // `lock_path` was given on the command line, so a missing file is an error.
  bool lock_path_given = false;
  bool require_lock = false;  // `--require-lock`
  // When set, the lock file is read once into it and reused by every RunPasses with these
  // options, as when `kfpc check` runs the passes on each pipeline of a file.
  std::shared_ptr<LockCache> lock_cache;
};

struct PassResult {
  std::vector<TaskCacheKey> cache_keys;
  bool any_target = false;  // some task has a target other than `none`
};

// Runs the passes on `document`, which Lower produced from `program.entry`. With no target
// anywhere (no `--target`, no `default_target`, no `target` setting) the document is unchanged.
// Reads the lock file into `sources` and reports every problem to `sink`.
PassResult RunPasses(const sema::Program& program, ir::Document& document,
                     const PassOptions& options, diag::SourceManager& sources,
                     diag::DiagnosticSink& sink);

// Returns the lock file for `root_source`: `kfpc.lock` in its directory when it exists, else
// `kfpc.lock` beside `config_path` when that exists, else an empty string.
std::string FindLockFile(const std::string& root_source, const std::string& config_path);

}  // namespace kfpc::passes
