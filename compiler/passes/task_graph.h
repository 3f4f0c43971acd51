#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

// The tasks of a lowered pipeline, across every DAG, each tied back to the checked task it came
// from and with each input traced to where its value comes from. The passes use it to find the
// source position of an executor and the upstream tasks of a cache key.
namespace kfpc::passes {

// The origin of one input's value, found by following group and sub-pipeline inputs upwards.
struct InputSource {
  enum class Kind { kConstant, kUpstream, kRuntime };
  Kind kind = Kind::kRuntime;
  std::string constant;  // kConstant: canonical JSON of the value
  std::string upstream;  // kUpstream: the id of the producing node
  std::string output;    // kUpstream: the producer's output key
  std::string runtime;   // kRuntime: what supplies it, "pipeline input `epochs`", "loop item"
};

// A task of some DAG: a container or importer task, a group or a sub-pipeline.
struct TaskNode {
  std::string id;  // the DAG path and task name: "root/for-loop-2/train-cnn"
  const ir::TaskSpec* spec = nullptr;
  const ir::ComponentSpec* component = nullptr;
  std::string executor_label;         // empty for groups and sub-pipelines
  const sema::Task* task = nullptr;   // null for groups
  std::map<std::string, InputSource> parameters;
  std::map<std::string, InputSource> artifacts;
  std::vector<std::string> members;   // groups and sub-pipelines: the ids of their DAG's tasks
};

struct TaskGraph {
  std::map<std::string, TaskNode> nodes;
  // Node ids with every producer before its consumers and every member before its group.
  std::vector<std::string> order;
};

// Builds the graph of `spec`, which Lower produced from `entry`.
TaskGraph BuildTaskGraph(const sema::Pipeline& entry, const ir::PipelineSpec& spec);

// Returns the canonical JSON text of `value`: keys sorted, no spaces, numbers as %.17g.
std::string CanonicalJson(const ir::Value& value);

}  // namespace kfpc::passes
