#pragma once

// The shape of one pipeline's DAGs, worked out before any IR is built: task and group names in
// the SDK's creation order, which DAG holds each task, the `dependentTasks` of every DAG member,
// and how a value reference reads inside a given DAG.

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/lower/naming.h"
#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

namespace kfpc::lower {

// A value that crosses into a group's DAG as a `pipelinechannel--` input.
struct Channel {
  std::string full_name;  // "flip-coin-Output", "msg", "loop-item-param-1"
  bool is_artifact = false;
  sema::Type type;
  const sema::Task* producer = nullptr;  // null for pipeline inputs and loop items
  std::string output;                    // the producer's output name
  const sema::Group* loop = nullptr;     // set for a loop's item
  std::string InputName() const { return "pipelinechannel--" + full_name; }
};

class DagPlan {
 public:
  explicit DagPlan(const sema::Pipeline& pipeline);

  const std::string& TaskName(const sema::Task* task) const { return task_names_.at(task); }
  const std::string& GroupName(const sema::Group* group) const { return group_names_.at(group); }
  // The `condition-branches-N` group around an if/else chain.
  const std::string& ChainName(int chain_id) const { return chain_names_.at(chain_id); }
  bool IsExitTask(const sema::Task* task) const { return exit_tasks_.count(task) != 0; }
  const std::vector<const sema::Group*>& GroupsInPreOrder() const { return groups_pre_order_; }

  // Sorted names of the members of the same DAG that `node` (a task or a group) waits for.
  std::vector<std::string> Dependencies(const void* node) const;

  // Channels a group's DAG needs from outside, by input name.
  // `node` is a group or the wrapper of an if/else chain.
  const std::map<std::string, Channel>& GroupInputs(const void* node) const;
  // The wrapper node of an if/else chain, or null when `group` is not a branch of one.
  const void* ChainNode(const sema::Group* group) const;
  // The loop item's input name of a loop: "pipelinechannel--loop-item-param-1".
  std::string LoopItemInput(const sema::Group* loop) const;

  // Sets the task input `input_name` to `value` as read inside the DAG `dag` (a group, a chain
  // wrapper, or null for the root).
  void ResolveArgument(const void* dag, const std::string& input_name,
                       const sema::ValueRef& value, bool is_artifact, ir::TaskInputs* inputs) const;

  // The channel a task-output, pipeline-input or loop-item reference reads.
  Channel ChannelOf(const sema::ValueRef& value) const;

  // The member of the DAG `dag` (null: root) that contains `task`, or null when the task is
  // outside that DAG.
  const void* MemberIn(const void* dag, const sema::Task* task) const;
  std::string MemberName(const void* member) const;

 private:
  void NameMembers(const std::vector<std::variant<const sema::Task*, const sema::Group*>>& members);
  void NameGroup(const sema::Group* group);
  std::string NextId() { return std::to_string(++group_id_); }
  void AddDependencies(const sema::Task* task);
  void CollectGroupInputs(const sema::Task* task);
  void AddChannel(const std::vector<const void*>& chain, size_t from, size_t to,
                  const Channel& channel);
  void ResolveGroupValue(const void* dag, const std::string& input_name,
                         const sema::ValueRef& value, bool is_artifact,
                         ir::TaskInputs* inputs) const;
  std::vector<const void*> GroupChain(const sema::Group* group) const;
  std::vector<const void*> Chain(const sema::Task* task) const;
  std::vector<const sema::ValueRef*> ReferencedValues(const sema::Task* task) const;

  const sema::Pipeline& pipeline_;
  UniqueNames used_task_names_;
  int group_id_ = 0;
  std::unordered_map<const sema::Task*, std::string> task_names_;
  std::unordered_map<const sema::Group*, std::string> group_names_;
  std::unordered_map<const sema::Group*, std::string> loop_item_names_;
  std::map<int, std::string> chain_names_;
  std::map<int, const sema::Group*> chain_first_branch_;
  std::unordered_set<const sema::Task*> exit_tasks_;
  std::vector<const sema::Group*> groups_pre_order_;
  std::unordered_map<const void*, std::set<std::string>> dependencies_;
  std::unordered_map<const void*, std::map<std::string, Channel>> group_inputs_;
};

}  // namespace kfpc::lower
