#include "compiler/passes/kfp_version.h"

#include <map>
#include <regex>

namespace kfpc::passes {

std::optional<KfpVersion> ParseKfpVersion(std::string_view text) {
  static const std::regex kPattern("([0-9]{1,4})\\.([0-9]{1,4})(\\.[0-9]{1,4})?");
  std::string copy(text);
  std::smatch match;
  if (!std::regex_match(copy, match, kPattern)) return std::nullopt;
  return KfpVersion{std::stoi(match[1]), std::stoi(match[2])};
}

std::optional<KfpVersion> FirstVersionReading(std::string_view json_name) {
  // The first kubeflow/pipelines release tag whose kubernetes_executor_config.proto declares the
  // field, or, for tolerations, node affinity and security context, whose v2 driver applies it.
  // Fields that no release tag up to 2.17.0 declares are left out and so rejected.
  static const std::map<std::string, KfpVersion, std::less<>> kFirstVersion = {
      {"secretAsVolume", {2, 0}},        {"secretAsEnv", {2, 0}},
      {"pvcMount", {2, 0}},              {"nodeSelector", {2, 0}},
      {"podMetadata", {2, 1}},           {"imagePullSecret", {2, 1}},
      {"imagePullPolicy", {2, 1}},       {"configMapAsVolume", {2, 1}},
      {"configMapAsEnv", {2, 1}},        {"activeDeadlineSeconds", {2, 1}},
      {"fieldPathAsEnv", {2, 1}},        {"tolerations", {2, 1}},
      {"genericEphemeralVolume", {2, 2}}, {"podAffinity", {2, 2}},
      {"enabledSharedMemory", {2, 3}},   {"emptyDirMounts", {2, 3}},
      {"nodeAffinity", {2, 14}},         {"securityContext", {2, 16}},
  };
  auto it = kFirstVersion.find(json_name);
  if (it == kFirstVersion.end()) return std::nullopt;
  return it->second;
}

bool HonoursCustomCacheKey(const KfpVersion& version) {
  // Released backends up to 2.17.0 compute their own fingerprint and ignore the field; support
  // was merged after 2.17.0.
  // NOTE: 2.18 is assumed to be the first release with it; no such release was checked.
  return version >= KfpVersion{2, 18};
}

}  // namespace kfpc::passes
