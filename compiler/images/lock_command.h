#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/images/http_client.h"

// `kfpc lock`: resolves image references over the OCI distribution API and writes the lock file.
namespace kfpc::images {

// One image reference that the sources use, with the platforms that its tasks run on.
struct ImageUse {
  ImageUse() = default;
  ImageUse(std::string reference_in) : reference(std::move(reference_in)) {}  // NOLINT

  std::string reference;  // as written in the sources
  // Platforms the image must offer (`linux/arm64`), each with the reason given in the error
  // when the image lacks it: "task `train` has target `graviton4`". Empty requires nothing, and
  // the lock file records whatever platforms the registry lists.
  std::map<std::string, std::string> platforms;
  diag::Span span;                      // the first use in the sources; invalid when unknown
  std::vector<diag::Span> other_uses;  // later uses, shown as labels on errors
};

struct LockOptions {
  std::string lock_path = "kfpc.lock";
  // The images of the sources. Empty means every image already in the lock file, with no
  // platform required.
  std::vector<ImageUse> images;
  // Whether `images` lists the images of the files given, even when there are none: then no
  // image is taken from the lock file, and `prune` drops every entry that is not in `images`.
  bool images_from_files = false;
  // Re-resolve images that the lock file already has; otherwise only new images are resolved.
  bool update = false;
  // Drop lock entries whose reference is not in `images` (ignored when `images` is empty).
  bool prune = false;
  // `--insecure-registry host:port` values: registries reached over plain HTTP.
  std::vector<std::string> insecure_registries;
  HttpLimits limits;
  std::string ca_path;  // CA certificates for HTTPS; empty uses the system store
};

// Loads `options.lock_path` when it exists, resolves the requested images and requires each to
// offer the platforms of its use, also when it is already locked. Rewrites the file only when
// every image resolved and the content changed, atomically through a temporary file and a
// rename. Reports an image's problems at its use in the sources and the lock file's own errors at
// their location in `sources`. Appends one line per image to `*report` (`locked`, `updated`,
// `unchanged`, `removed`). Returns true when the lock file is complete.
bool RunLock(const LockOptions& options, diag::SourceManager& sources, diag::DiagnosticSink& sink,
             std::string* report);

}  // namespace kfpc::images
