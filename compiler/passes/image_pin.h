#pragma once

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/images/lock_file.h"
#include "compiler/passes/targets.h"
#include "compiler/passes/task_graph.h"
#include "runtime/ir/pipeline_spec.h"

// The image pass: pins every container image to the manifest of its target's platform.
namespace kfpc::passes {

struct ImagePinOptions {
  const images::LockFile* lock = nullptr;  // null when the project has no `kfpc.lock`
  // An image missing from the lock file is an error instead of a warning.
  bool require_lock = false;
  // The lock file that was read, or empty when none was found. Messages name it when `--lock`
  // gave it, and `kfpc.lock` otherwise.
  std::string lock_path;
  bool lock_path_given = false;  // from `--lock`, which the help then repeats
};

// For each container executor whose target is not `none`, replaces the image with
// `repository@digest` of the target platform's manifest from the lock file. Reports, at the
// image in the source: an image without that platform (kImageMissingPlatform, listing the
// platforms it has), an image the lock file lacks (kImageNotLocked, a warning unless
// `require_lock`), and an architecture in the tag (kArchitectureSuffixedTag). An image that
// already names a digest is kept as written.
void PinImages(const TaskGraph& graph, const TargetChoice& targets, const ImagePinOptions& options,
               ir::Document& document, diag::DiagnosticSink& sink);

// Returns the architecture named by a segment of `reference`'s tag (`arm64` for
// `python:3.11-slim-bookworm-arm64`), or an empty string.
std::string ArchitectureInTag(std::string_view reference);

}  // namespace kfpc::passes
