#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/images/http_client.h"

// `kfpc lock`: resolves image references over the OCI distribution API and writes the lock file.
namespace kfpc::images {

struct LockOptions {
  std::string lock_path = "kfpc.lock";
  // References as written in the sources. Empty means every image already in the lock file.
  std::vector<std::string> images;
  // Re-resolve images that the lock file already has; otherwise only new images are resolved.
  bool update = false;
  // Drop lock entries whose reference is not in `images` (ignored when `images` is empty).
  bool prune = false;
  // `--insecure-registry host:port` values: registries reached over plain HTTP.
  std::vector<std::string> insecure_registries;
  HttpLimits limits;
  std::string ca_path;  // CA certificates for HTTPS; empty uses the system store
};

// Loads `options.lock_path` when it exists, resolves the requested images, requires each to
// offer linux/arm64, and rewrites the file only when every image resolved and the content
// changed (atomically, through a temporary file and a rename). Reports problems to `sink`, the
// lock file's own errors with locations in `sources`. Appends one line per image to `*report`
// (`locked`, `updated`, `unchanged`, `removed`). Returns true when the lock file is complete.
bool RunLock(const LockOptions& options, diag::SourceManager& sources, diag::DiagnosticSink& sink,
             std::string* report);

}  // namespace kfpc::images
