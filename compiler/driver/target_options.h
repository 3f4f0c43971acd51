#pragma once

#include <optional>
#include <ostream>
#include <string>

#include <cxxopts.hpp>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/passes/passes.h"
#include "compiler/sema/program.h"

// The options of `kfpc build` and `kfpc check` that choose a target, the KFP backend version and
// the lock file. Only files in compiler/driver/ include it.
namespace kfpc::driver {

// The options as given on the command line.
struct TargetFlags {
  std::optional<std::string> target;
  std::optional<passes::KfpVersion> kfp_backend;
  std::optional<std::string> lock_path;
  bool require_lock = false;
};

// Adds `--target`, `--kfp-backend`, `--lock` and `--require-lock` to `options`.
void AddTargetOptions(cxxopts::Options& options);

// Reads the options into `*flags`. Reports an invalid value with `help` to `err` and returns
// false.
bool ReadTargetFlags(const cxxopts::ParseResult& parsed, std::string_view help, TargetFlags* flags,
                     std::ostream& err);

// Fills `*options` from `flags` and from the `kfpc.yaml` of `root_source`, which it reads into
// `sources`. Reports the config file's problems to `sink` and returns false.
bool PreparePassOptions(const std::string& root_source, const TargetFlags& flags,
                        diag::SourceManager& sources, diag::DiagnosticSink& sink,
                        passes::PassOptions* options);

// Returns true when the passes can change or report anything for `program`: a target is named
// on the command line, in `kfpc.yaml` or in a `target` setting, or `--kfp-backend` was given.
bool PassesApply(const passes::PassOptions& options, const sema::Program& program);

// For `kfpc check`: when `program` has an entry pipeline and the passes apply, lowers it and
// runs the passes, reporting to `sink`. The program must have no errors.
void CheckWithPasses(const std::string& root_source, const TargetFlags& flags,
                     const sema::Program& program, diag::SourceManager& sources,
                     diag::DiagnosticSink& sink);

}  // namespace kfpc::driver
