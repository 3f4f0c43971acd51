#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/images/http_client.h"
#include "compiler/images/image_reference.h"

// A read-only client of the OCI distribution API (`/v2/<name>/manifests/<reference>`,
// `/v2/<name>/blobs/<digest>`) that resolves image references to verified digests.
namespace kfpc::images {

inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";

// Returns true for a platform key as the lock file and ResolvedImage write it:
// `os/architecture` or `os/architecture/variant`, each part as the OCI image spec names them.
bool IsPlatformKey(std::string_view key);

// A failed resolution, ready to become a diagnostic.
struct RegistryError {
  diag::Kind kind = diag::Kind::kRegistryRequestFailed;
  std::string message;
  std::string help;
};

// The result of resolving a reference. `platforms` maps `os/architecture[/variant]` to the digest
// of that platform's image manifest; for a single-platform manifest it has one entry, equal to
// `digest`.
struct ResolvedImage {
  std::string repository;  // `docker.io/library/python`
  std::string digest;      // digest of the index or manifest the reference names
  std::string media_type;
  std::map<std::string, std::string> platforms;
  // Index entries left out of `platforms` because the registry lacks their manifest or the
  // manifest is not an image of that platform, with the reason.
  std::map<std::string, RegistryError> rejected;
};

// Returns `sha256:` and the lowercase hex SHA-256 of `bytes`.
std::string Sha256Digest(std::string_view bytes);

class OciClient {
 public:
  // `http` must outlive the client.
  explicit OciClient(HttpClient& http) : http_(http) {}

  // Fetches the manifest `reference` names and verifies its digest. For an index or manifest
  // list, fetches and verifies each platform's manifest; for a single manifest, reads the
  // config blob for its platform. Returns false and fills `*error` on any failure.
  bool Resolve(const ImageReference& reference, ResolvedImage* image, RegistryError* error);

 private:
  // GETs `/v2/<path>/<suffix>`. On a bearer challenge fetches a token and retries once. Returns
  // true for any HTTP status.
  bool Get(const ImageReference& reference, const std::string& suffix, std::string_view accept,
           HttpResponse* response, RegistryError* error);
  bool FetchToken(const ImageReference& reference, std::string_view challenge_header,
                  RegistryError* error);
  // Fetches a manifest and checks its digest against `expected_digest` when given.
  bool FetchManifest(const ImageReference& reference, const std::string& manifest_reference,
                     const std::string& expected_digest, HttpResponse* response,
                     RegistryError* error);
  // Turns a tag-not-found error into repository-not-found when the repository is missing, or
  // lists the repository's tags in the help.
  void ExplainNotFound(const ImageReference& reference, RegistryError* error);
  bool ResolveIndex(const ImageReference& reference, const std::string& body, ResolvedImage* image,
                    RegistryError* error);
  // Checks that the manifest an index lists for `platform` is an image manifest whose config
  // names that platform.
  bool CheckIndexEntry(const ImageReference& reference, const std::string& platform,
                       const std::string& digest, const std::string& listed_media_type,
                       const HttpResponse& response, RegistryError* error);
  bool ReadPlatform(const ImageReference& reference, const std::string& manifest_body,
                    std::string* platform, RegistryError* error);

  HttpClient& http_;
  std::map<std::string, std::string> tokens_;  // registry host and repository -> bearer token
  // When the current Resolve call runs out of time (HttpLimits::image_timeout).
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace kfpc::images
