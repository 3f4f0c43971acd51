#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Target profiles: where the tasks of a pipeline run. A profile names the CPU architecture, the
// node labels the cluster uses, the instance families and types a task may land on, and the
// tolerations its tainted node pools need.
namespace kfpc::passes {

struct InstanceType {
  std::string name;  // "c8g.4xlarge"
  int64_t vcpus = 0;
  int64_t memory_mib = 0;
};

// A Kubernetes toleration, written as kfp-kubernetes writes one.
struct Toleration {
  std::string key;
  std::string op = "Equal";  // "Equal" or "Exists"
  std::string value;
  std::string effect;  // "NoSchedule", "PreferNoSchedule", "NoExecute" or empty for all
  friend bool operator==(const Toleration&, const Toleration&) = default;
};

struct TargetProfile {
  std::string name;
  // "arm64" or "amd64"; empty for the `none` profile, which changes nothing.
  std::string architecture;
  std::string architecture_label = "kubernetes.io/arch";
  std::string instance_type_label = "node.kubernetes.io/instance-type";
  std::string family_label = "karpenter.k8s.aws/instance-family";
  // Instance families a task may run on; more than one becomes node affinity with `In`.
  std::vector<std::string> families;
  // Instance types that the pool offers; empty means no resource limit is known.
  std::vector<InstanceType> instance_types;
  // Extra node selector labels, such as a team's own pool label.
  std::map<std::string, std::string> node_labels;
  std::vector<Toleration> tolerations;
  // False when no instance of the profile has an NVIDIA GPU (Graviton4 instances have none).
  bool nvidia_gpus = true;

  bool IsNone() const { return architecture.empty(); }
  // The OCI platform of the images the profile runs: "linux/arm64".
  std::string Platform() const { return "linux/" + architecture; }
};

// Returns the built-in profile `name` (graviton4, arm64, amd64, none), or nullopt.
std::optional<TargetProfile> BuiltinProfile(std::string_view name);

// The names of the built-in profiles, in the order the help text lists them.
const std::vector<std::string>& BuiltinProfileNames();

}  // namespace kfpc::passes
