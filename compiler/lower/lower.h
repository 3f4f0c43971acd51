#pragma once

#include <string>

#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

namespace kfpc::lower {

struct LowerOptions {
  // The KFP SDK version pinned in the pip bootstrap of Python components (`kfp==VERSION`); the
  // default is the SDK release whose output kfpc reproduces.
  std::string kfp_package_version = "2.14.6";
  // Written as `sdkVersion: kfpc-<version>`.
  std::string kfpc_version;
  // The KFP release given with `--kfp-version`, added to sdkVersion as `kfpc-<version>+kfp-<X.Y.Z>`;
  // empty without the option, which keeps sdkVersion as it was before the option existed.
  std::string kfp_target;
};

// Lowers a checked pipeline to the IR exactly as the KFP SDK would for the equivalent Python
// pipeline: component, executor and task names, placeholders, groups and defaults. The program
// must have passed the checker without errors.
ir::Document Lower(const sema::Program& program, const sema::Pipeline& pipeline,
                   const LowerOptions& options);

}  // namespace kfpc::lower
