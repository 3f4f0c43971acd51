#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"

// The image lock file, `kfpc.lock`: JSON with sorted keys, two-space indentation and a final
// newline, so that the same content always has the same bytes.
//
//   {
//     "images": {
//       "python:3.11": {                                  <- the reference as written
//         "digest": "sha256:...",                         <- the index or manifest it names
//         "mediaType": "application/vnd.oci.image.index.v1+json",
//         "platforms": {"linux/amd64": "sha256:...", "linux/arm64/v8": "sha256:..."},
//         "repository": "docker.io/library/python"
//       }
//     },
//     "version": 1
//   }
namespace kfpc::images {

inline constexpr std::string_view kLockFileName = "kfpc.lock";
inline constexpr int kLockFileVersion = 1;
// The platform every image must offer: the target is arm64 Kubernetes nodes (AWS Graviton4).
inline constexpr std::string_view kTargetPlatform = "linux/arm64";

struct LockedImage {
  std::string repository;  // fully qualified, `docker.io/library/python`
  std::string digest;
  std::string media_type;
  std::map<std::string, std::string> platforms;  // `os/architecture[/variant]` -> digest

  friend bool operator==(const LockedImage&, const LockedImage&) = default;
};

struct LockFile {
  std::map<std::string, LockedImage> images;  // keyed by the reference as written

  friend bool operator==(const LockFile&, const LockFile&) = default;
};

struct LockFileLimits {
  // 10,000 images of about 1.5 KB each: an index with eight platforms.
  size_t max_bytes = 16 * 1024 * 1024;
  int max_depth = 8;  // the format itself nests 4 deep
  size_t max_images = 10'000;
};

// Returns the canonical text of `lock`.
std::string SerializeLockFile(const LockFile& lock);

// Parses the file `file` of `sources` into `*lock`. Reports each problem as kInvalidLockFile
// with a span in the file (a JSON error at its byte, a bad entry at its key) and returns false.
bool ParseLockFile(const diag::SourceManager& sources, diag::FileId file,
                   diag::DiagnosticSink& sink, LockFile* lock, const LockFileLimits& limits = {});

// Reads `path` into `sources` and parses it; sets `*file`, when given, to the file's id. A
// missing or unreadable file is kReadFailed, and a file over `limits.max_bytes` is
// kInvalidLockFile; both return false.
bool LoadLockFile(const std::string& path, diag::SourceManager& sources, diag::DiagnosticSink& sink,
                  LockFile* lock, diag::FileId* file = nullptr, const LockFileLimits& limits = {});

// Returns the digest `image` pins for `platform` (`os/architecture`), or an empty string. An
// entry with a variant matches too when the exact key is absent: `linux/arm64` finds
// `linux/arm64/v8`.
std::string FindPlatformDigest(const LockedImage& image, std::string_view platform);

// Returns the platform keys of `image`, joined with `, `.
std::string ListPlatforms(const LockedImage& image);

// Looks up `reference` (as written in the source) for `kfpc build`: sets `*pinned` to
// `repository@digest` of its linux/arm64 manifest and returns true. Reports kImageNotLocked, or
// kImageMissingPlatform with the platforms the image has, at `use_site` and returns false.
bool PinImage(const LockFile& lock, std::string_view reference, diag::Span use_site,
              diag::DiagnosticSink& sink, std::string* pinned);

}  // namespace kfpc::images
