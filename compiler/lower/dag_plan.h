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
  std::string output;                    // the output key that `member` writes the value to
  // The DAG member that outputs the value: the producer itself, or for a collected or one-of
  // value the loop or `condition-branches-N` group that gathers it. Null means `producer`.
  const void* member = nullptr;
  const sema::Group* loop = nullptr;     // set for a loop's item
  // A field of a loop item (`item.field`): the channel reads `base_input` through a
  // `parseJson(string_value)["field"]` selector.
  std::string field;
  std::string base_input;
  std::string InputName() const { return "pipelinechannel--" + full_name; }
};

// An output of a group's DAG that carries a value out of the group: the value of a task inside a
// loop, collected into a list, or the one value of an if/else chain.
struct GroupOutput {
  sema::Type type;  // as the DAG outputs it: a list when the group is or contains the loop
  std::vector<std::pair<std::string, std::string>> selectors;  // (producer subtask, output key)
  bool from_oneof = false;  // a parameter chosen among branches: `valueFromOneof`
};

// Where a collected or one-of value is read from a DAG: `key` of the DAG member `member`.
struct FanIn {
  const void* member = nullptr;
  std::string key;
  sema::Type type;
  const sema::Task* producer = nullptr;  // the task of the first alternative
};

class DagPlan {
 public:
  explicit DagPlan(const sema::Pipeline& pipeline);

  const std::string& TaskName(const sema::Task* task) const { return task_names_.at(task); }
  const std::string& GroupName(const sema::Group* group) const { return group_names_.at(group); }
  // The `condition-branches-N` group around an if/else chain.
  const std::string& ChainName(int chain_id) const { return chain_names_.at(chain_id); }
  bool IsExitTask(const sema::Task* task) const { return exit_tasks_.count(task) != 0; }
  // Whether a loop around the loop `group` names its item `name` and is read inside `group`,
  // where an item of that name would hide it.
  // Gives a task whose name is also a group's name the next free `-N` form.
  void RenameTasksLikeGroups();
  bool EnclosingLoopHidden(const sema::Group* group, const std::string& name) const;
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

  // The channel of the list a loop iterates over.
  Channel IterableChannel(const sema::Group& loop) const;

  // The outputs of a group's DAG (a group or a chain wrapper), by output name.
  const std::map<std::string, GroupOutput>& GroupOutputs(const void* node) const;
  // How a collected or one-of value is read by a consumer whose chain (Chain(task), or
  // GroupChain(group) for a DAG) is `consumer_chain`; empty for the root DAG.
  FanIn FanInOf(const std::vector<const void*>& consumer_chain, const sema::ValueRef& value) const;
  // The chain of groups and chain wrappers from the root down to `group`; empty for null.
  std::vector<const void*> GroupChain(const sema::Group* group) const;
  // The channel through which a DAG below the gathering group reads a collected or one-of value.
  Channel FanInChannel(const FanIn& fan_in) const;

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
  // Returns the text of the interpolated string `value`, adding the inputs it reads to `inputs`.
  std::string InterpolationText(const void* dag, const sema::ValueRef& value,
                                ir::TaskInputs* inputs) const;
  std::vector<const void*> Chain(const sema::Task* task) const;
  // fan_in.cc
  void RegisterFanIns();
  void RegisterFanIn(const std::vector<const void*>& consumer_chain, const sema::ValueRef& value);
  void RegisterCollected(const std::vector<const void*>& consumer_chain,
                         const sema::ValueRef& value);
  void RegisterOneOf(const sema::ValueRef& value);
  void AddIterableDependencies();
  std::vector<const sema::ValueRef*> ReferencedValues(const sema::Task* task) const;

  const sema::Pipeline& pipeline_;
  UniqueNames used_task_names_;
  int group_id_ = 0;
  std::unordered_map<const sema::Task*, std::string> task_names_;
  std::unordered_map<const sema::Group*, std::string> group_names_;
  std::unordered_map<const sema::Group*, std::string> loop_item_names_;
  std::map<int, std::string> chain_names_;
  std::map<int, const sema::Group*> chain_first_branch_;
  std::unordered_map<const sema::Task*, const sema::Group*> exit_tasks_;  // task -> its handler
  std::vector<const sema::Group*> groups_pre_order_;
  std::unordered_map<const void*, std::set<std::string>> dependencies_;
  std::unordered_map<const void*, std::map<std::string, Channel>> group_inputs_;
  std::unordered_map<const void*, std::map<std::string, GroupOutput>> group_outputs_;
  // The output key of each one-of, by its alternatives, and the one-of count of each wrapper.
  std::map<std::vector<std::pair<const sema::Task*, std::string>>, std::string> oneof_keys_;
  std::unordered_map<const void*, int> oneof_counts_;
};

}  // namespace kfpc::lower
