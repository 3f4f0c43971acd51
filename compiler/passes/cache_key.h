#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/source_manager.h"
#include "compiler/passes/kfp_version.h"
#include "compiler/passes/targets.h"
#include "compiler/passes/task_graph.h"
#include "runtime/ir/pipeline_spec.h"

// The cache-key pass. The KFP backend's own cache fingerprint covers the image string but not its
// digest, the CPU architecture or the environment, so kfpc computes a key that does and records
// it on each pod.
namespace kfpc::passes {

inline constexpr std::string_view kCacheKeyAnnotation = "kfpc.dev/cache-key";
// Names the encoding that is hashed; a change to the encoding gets a new name.
inline constexpr std::string_view kCacheKeyEncoding = "kfpc-cache-key-v1";

struct TaskCacheKey {
  std::string task;      // the task graph id, "root/train-cnn"
  std::string executor;  // "exec-train-cnn"
  std::string target;    // the target profile's name
  std::string platform;  // the target's platform, "linux/arm64", or "unspecified" without one
  diag::Span span;       // the task in the source, for the language server's hover
  std::string key;       // "sha256:<64 hex digits>"
  std::vector<std::string> covers;  // what the key covers, one phrase each
  bool annotated = false;           // written as the pod annotation kCacheKeyAnnotation
  bool static_key = false;          // written to `cachingOptions.cacheKey`
  std::string static_key_reason;    // why it was not written, when it was not
};

// Computes the key of every container task: SHA-256 of a length-prefixed encoding of the
// component interface, the image as the image pass left it, command, args, env, the target
// platform, constant inputs, the keys of the upstream tasks that feed data inputs, the names and
// types of runtime inputs, and the task's `cache_salt`. For tasks with a target other than
// `none`, writes the key as a pod annotation, and writes `cachingOptions.cacheKey` only when
// caching is on, every input is a compile-time constant and `backend` honours the field.
std::vector<TaskCacheKey> AssignCacheKeys(const TaskGraph& graph, const TargetChoice& targets,
                                          const KfpVersion& backend, ir::Document& document);

// Formats the keys for `kfpc build --cache-report`, one block per task.
std::string FormatCacheReport(const std::vector<TaskCacheKey>& keys);

}  // namespace kfpc::passes
