#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"
#include "compiler/passes/target_profile.h"

// The project config file, `kfpc.yaml`: target profiles of the project's clusters.
//
//   version: 1
//   default_target: team-arm          # optional; `--target` and `target =` settings override it
//   import_directories: [../shared]   # optional; directories outside the project to import from
//   targets:
//     team-arm:
//       base: graviton4               # optional: start from a built-in profile
//       architecture: arm64           # required without `base`
//       labels: {architecture: kubernetes.io/arch, instance_type: node.kubernetes.io/instance-type,
//                instance_family: karpenter.k8s.aws/instance-family}
//       families: [c8g, m8g]
//       node_selector: {example.com/pool: ml}
//       tolerations: [{key: arch, operator: Equal, value: arm64, effect: NoSchedule}]
//       instance_types: [{name: c8g.4xlarge, vcpus: 16, memory: 32Gi}]
//       nvidia_gpus: false
namespace kfpc::passes {

inline constexpr std::string_view kProjectConfigName = "kfpc.yaml";

struct ProjectConfig {
  std::optional<std::string> default_target;
  std::map<std::string, TargetProfile> targets;
  // Directories outside the project that imports may read, as written: a relative path is
  // relative to the directory of kfpc.yaml.
  std::vector<std::string> import_directories;
};

struct ProjectConfigLimits {
  size_t max_bytes = 256 * 1024;
  int max_depth = 8;  // the format nests 5 deep
  size_t max_nodes = 100'000;
};

// Returns the path of `kfpc.yaml` in the directory of `root_source` or in the nearest parent
// directory that has one. The search stops after the first directory that contains `.git`, and
// returns an empty string when it finds none.
std::string FindProjectConfig(const std::string& root_source);

// Parses the file `file` of `sources`. Anchors, aliases, several documents, and documents
// deeper or larger than `limits` are rejected. Reports each problem as
// kInvalidProjectConfig at its position and returns false.
bool ParseProjectConfig(const diag::SourceManager& sources, diag::FileId file,
                        diag::DiagnosticSink& sink, ProjectConfig* config,
                        const ProjectConfigLimits& limits = {});

// Reads `path` into `sources` and parses it. A file that cannot be read is kReadFailed.
bool LoadProjectConfig(const std::string& path, diag::SourceManager& sources,
                       diag::DiagnosticSink& sink, ProjectConfig* config,
                       const ProjectConfigLimits& limits = {});

// Parses a Kubernetes memory quantity ("16Gi", "512M", "1e9", "1024") into MiB, rounded up.
// Returns nullopt for other text, text over 64 characters and a result beyond int64_t.
std::optional<int64_t> ParseMemoryMib(std::string_view quantity);
// Parses a Kubernetes CPU quantity ("500m", "4", "0.5") into millicores, rounded up. Returns
// nullopt for other text, text over 64 characters and a result beyond int64_t.
std::optional<int64_t> ParseCpuMillis(std::string_view quantity);

}  // namespace kfpc::passes
