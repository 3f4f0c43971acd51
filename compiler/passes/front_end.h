#pragma once

#include <optional>
#include <string>

#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/images/lock_command.h"
#include "compiler/passes/kfp_version.h"
#include "compiler/passes/passes.h"
#include "compiler/sema/program.h"

// The step between the checker and the passes that `kfpc build`, `kfpc check` and the language
// server share: find `kfpc.yaml` and `kfpc.lock` for a source file, decide whether the passes
// apply, and run them on the lowered entry pipeline.
namespace kfpc::passes {

// Checks `path`, already in `sources` as `root`, allowing the imports that the
// `import_directories` of its kfpc.yaml name. The config's problems are reported only when an
// import was rejected, because they may be the reason; otherwise the passes report them when
// they run.
check::CheckResult CheckSource(const std::string& path, diag::FileId root,
                               check::CheckOptions options, const check::FileLoader& loader,
                               diag::SourceManager& sources, diag::DiagnosticSink& sink);

// The options that choose a target, the KFP backend version and the lock file, as given on the
// command line. The language server has no command line and uses the defaults.
struct TargetFlags {
  std::optional<std::string> target;
  std::optional<KfpVersion> kfp_backend;
  std::optional<std::string> lock_path;
  bool require_lock = false;
};

// Fills `*options` from `flags` and from the `kfpc.yaml` of `root_source`, which it reads into
// `sources`. Reports the config file's problems to `sink` and returns false.
bool PreparePassOptions(const std::string& root_source, const TargetFlags& flags,
                        diag::SourceManager& sources, diag::DiagnosticSink& sink,
                        PassOptions* options);

// Returns true when the passes can change or report anything for `program`: a target is named
// on the command line, in `kfpc.yaml` or in a `target` setting, or `--kfp-version` was given.
bool PassesApply(const PassOptions& options, const sema::Program& program);

// The outcome of CheckWithPasses.
struct CheckedPasses {
  bool config_loaded = false;  // PreparePassOptions succeeded, so `options` is complete
  bool ran = false;            // the passes ran and `result` contains their output
  PassOptions options;
  PassResult result;
};

// For `kfpc check` and the language server: when `program` has an entry pipeline and the passes
// apply, lowers it and runs the passes, reporting to `sink`. The program must have no errors.
CheckedPasses CheckWithPasses(const std::string& root_source, const TargetFlags& flags,
                              const sema::Program& program, diag::SourceManager& sources,
                              diag::DiagnosticSink& sink);

// CheckWithPasses for `program.entry` or, when the root file has several pipelines and none was
// chosen, for each of `program.roots` in turn. A diagnostic that several of them give is reported
// once. Returns the outcome for the entry pipeline, or for the first root together with the cache
// keys of every root.
CheckedPasses CheckEachPipelineWithPasses(const std::string& root_source, const TargetFlags& flags,
                                          sema::Program& program, diag::SourceManager& sources,
                                          diag::DiagnosticSink& sink);

// For `kfpc lock`: adds to `*uses` the image of every container and Python component of
// `program`, except the images the KFP backend runs itself, at the first `image` setting that
// names it. Each image requires the platforms of the targets of the tasks that run it, over every
// pipeline of `program` built as the entry pipeline. Tasks with no target (or `none`) require
// nothing. Reports unknown target names to `sink`.
void CollectImageUses(const sema::Program& program, const PassOptions& options,
                      diag::DiagnosticSink& sink, std::vector<images::ImageUse>* uses);

}  // namespace kfpc::passes
