#pragma once

#include <string>
#include <string_view>

// Container image references, parsed with the rules of Docker's reference grammar
// (github.com/distribution/reference): `[domain/]path[:tag][@digest]`.
namespace kfpc::images {

// A parsed, normalized image reference. `python:3.11` becomes domain `docker.io`, path
// `library/python`, tag `3.11`.
struct ImageReference {
  std::string domain;  // `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`
  std::string path;    // repository path inside the registry, `library/python`
  std::string tag;     // `latest` when the reference names neither a tag nor a digest
  std::string digest;  // `sha256:<64 hex digits>`, or empty

  // Host and optional port to connect to: `registry-1.docker.io` for Docker Hub, else `domain`.
  std::string RegistryHost() const;
  // Fully qualified repository, `docker.io/library/python`.
  std::string Repository() const;
  // The digest when the reference has one, else the tag; the last segment of a manifest URL.
  const std::string& ManifestReference() const { return digest.empty() ? tag : digest; }
};

// Parses `text` as Docker does. Returns false and sets `*error` to a lowercase reason when the
// reference is invalid (empty, uppercase repository, bad tag or digest, name too long).
bool ParseImageReference(std::string_view text, ImageReference* reference, std::string* error);

// Returns true for `sha256:` followed by 64 lowercase hex digits.
bool IsSha256Digest(std::string_view digest);

// Returns true when `host_port` (a domain with an optional port) names a loopback address:
// `localhost`, an address in 127.0.0.0/8 or `[::1]`.
bool IsLoopbackHost(std::string_view host_port);

// Returns true for `argostub/createpvc` and `argostub/deletepvc`, the images of the kfp-kubernetes
// components CreatePVC and DeletePVC. The KFP backend driver matches these exact strings and
// handles the PersistentVolumeClaim itself, so no node pulls or runs them (kubeflow/pipelines
// backend/src/v2/driver, `dummyImages`).
bool IsKfpBackendImage(std::string_view image);

}  // namespace kfpc::images
