#pragma once

#include <optional>
#include <ostream>
#include <string>

#include <cxxopts.hpp>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/passes/front_end.h"
#include "compiler/passes/passes.h"
#include "compiler/sema/program.h"

// The options of `kfpc build` and `kfpc check` that choose a target, the KFP backend version and
// the lock file. Only files in compiler/driver/ include it.
namespace kfpc::driver {

// The options as given on the command line.
using TargetFlags = passes::TargetFlags;

// Adds `--target`, `--kfp-version`, `--lock` and `--require-lock` to `options`.
void AddTargetOptions(cxxopts::Options& options);

// Returns true for a KFP release as `--kfp-version` takes it: 2.14, 2.14.6, 2.15.0rc1.
bool IsValidKfpVersion(const std::string& version);

// Returns the version in the `kfp==` pin of Python components for `--kfp-version VERSION`: the
// version itself, or for `X.Y` the newest SDK release of X.Y in kfpc's table (2.13 to 2.17).
// Returns nullopt for an `X.Y` outside that table.
std::optional<std::string> KfpPackagePin(const std::string& version);

// Reads the options into `*flags`; `--kfp-version` X.Y sets the KFP backend version. Reports an
// invalid value to `err`, pointing to `COMMAND --help`, and returns false.
bool ReadTargetFlags(const cxxopts::ParseResult& parsed, std::string_view command,
                     TargetFlags* flags, std::ostream& err);

// The config and lock lookup and the pass run are shared with the language server, which must
// report exactly what `kfpc check` reports.
using passes::CheckWithPasses;
using passes::PassesApply;
using passes::PreparePassOptions;

}  // namespace kfpc::driver
