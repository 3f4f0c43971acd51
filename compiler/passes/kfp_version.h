#pragma once

#include <optional>
#include <string>
#include <string_view>

// The KFP backend version that a build targets, and which compiled fields that version reads.
// The KFP API server parses the Kubernetes platform spec strictly and drops the whole spec when a
// field is unknown to it, so kfpc reports a field the target cannot read instead of writing it.
namespace kfpc::passes {

struct KfpVersion {
  int major = 2;
  int minor = 14;

  std::string ToString() const { return std::to_string(major) + "." + std::to_string(minor); }
  friend auto operator<=>(const KfpVersion&, const KfpVersion&) = default;
};

// Parses "2.14" or "2.14.1" (the patch level is ignored). Returns nullopt for anything else.
std::optional<KfpVersion> ParseKfpVersion(std::string_view text);

// Returns the first KFP backend version that reads the KubernetesExecutorConfig field `json_name`
// (`nodeSelector`, `nodeAffinity`, ...), or nullopt for a field that kfpc does not know.
std::optional<KfpVersion> FirstVersionReading(std::string_view json_name);

// Returns true when `version` honours `cachingOptions.cacheKey` instead of ignoring it.
bool HonoursCustomCacheKey(const KfpVersion& version);

}  // namespace kfpc::passes
