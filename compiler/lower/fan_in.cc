// Values that leave their group: a task output inside a loop read outside it (`collect(...)`),
// and the one value of an if/else chain (`one_of(...)`). As in the KFP SDK, each group between
// the producer and the consumer's DAG outputs the value under the producer's channel name. So a
// loop outputs the list of its iterations' values, and the `condition-branches-N` group of an
// if/else chain outputs `pipelinechannel--condition-branches-N-oneof-K`, chosen among branches.

#include <algorithm>

#include "compiler/lower/dag_plan.h"

namespace kfpc::lower {
namespace {

size_t CommonPrefix(const std::vector<const void*>& a, const std::vector<const void*>& b) {
  size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
  return common;
}

sema::Type ListOf(const sema::Type& type) {
  sema::Type list = type;
  if (type.is_artifact) {
    list.is_list = true;
    return list;
  }
  list = sema::Type{};
  list.param = sema::ParamType::kList;
  list.element = std::make_shared<sema::Type>(type);
  return list;
}

using OneOfSignature = std::vector<std::pair<const sema::Task*, std::string>>;

OneOfSignature SignatureOf(const sema::ValueRef& value) {
  OneOfSignature signature;
  for (const sema::ValueRef& alternative : value.alternatives) {
    signature.emplace_back(alternative.task, alternative.name);
  }
  return signature;
}

}  // namespace

const std::map<std::string, GroupOutput>& DagPlan::GroupOutputs(const void* node) const {
  static const std::map<std::string, GroupOutput> kNone;
  auto it = group_outputs_.find(node);
  return it == group_outputs_.end() ? kNone : it->second;
}

void DagPlan::RegisterFanIns() {
  for (const auto& task : pipeline_.tasks) {
    std::vector<const void*> chain = Chain(task.get());
    for (const sema::ValueRef* value : ReferencedValues(task.get())) RegisterFanIn(chain, *value);
  }
  for (const auto& group : pipeline_.groups) {
    if (group->kind == sema::Group::Kind::kLoop) {
      RegisterFanIn(GroupChain(group->parent), group->iterable);
    }
  }
  for (const sema::PipelineOutput& output : pipeline_.returns) RegisterFanIn({}, output.value);
}

void DagPlan::RegisterFanIn(const std::vector<const void*>& consumer_chain,
                            const sema::ValueRef& value) {
  if (value.kind == sema::ValueRef::Kind::kCollected) RegisterCollected(consumer_chain, value);
  if (value.kind == sema::ValueRef::Kind::kOneOf) RegisterOneOf(value);
}

// Adds an output to every group from the consumer's DAG down to the producer, typed as a list of
// the values.
void DagPlan::RegisterCollected(const std::vector<const void*>& consumer_chain,
                                const sema::ValueRef& value) {
  if (value.alternatives.empty()) return;
  const sema::ValueRef& source = value.alternatives.front();
  if (source.kind != sema::ValueRef::Kind::kTaskOutput || source.task == nullptr) return;
  std::vector<const void*> upstream = Chain(source.task);
  size_t common = CommonPrefix(upstream, consumer_chain);
  std::string key = ChannelOf(source).InputName();
  for (size_t i = common; i + 1 < upstream.size(); ++i) {
    GroupOutput& output = group_outputs_[upstream[i]][key];
    // The SDK types the output as a list in every group on the way, also in a condition inside
    // the loop, whose DAG outputs one value per iteration.
    output.type = ListOf(source.type);
    const void* next = upstream[i + 1];
    output.selectors = {next == source.task ? std::make_pair(TaskName(source.task), source.name)
                                            : std::make_pair(MemberName(next), key)};
  }
}

// Adds the chain wrapper's output, chosen among the branches, and each branch's own output.
void DagPlan::RegisterOneOf(const sema::ValueRef& value) {
  if (value.alternatives.empty() || value.alternatives.front().task == nullptr) return;
  const sema::Group* first_branch = value.alternatives.front().task->parent;
  const void* wrapper = first_branch ? ChainNode(first_branch) : nullptr;
  if (wrapper == nullptr) return;
  OneOfSignature signature = SignatureOf(value);
  if (oneof_keys_.count(signature) != 0) return;
  std::string key = "pipelinechannel--" + MemberName(wrapper) + "-oneof-" +
                    std::to_string(++oneof_counts_[wrapper]);
  oneof_keys_[signature] = key;
  GroupOutput& chosen = group_outputs_[wrapper][key];
  chosen.type = value.alternatives.front().type;
  chosen.from_oneof = !chosen.type.is_artifact;
  for (const sema::ValueRef& alternative : value.alternatives) {
    if (alternative.task == nullptr || alternative.task->parent == nullptr) continue;
    std::string branch_key = ChannelOf(alternative).InputName();
    chosen.selectors.emplace_back(MemberName(alternative.task->parent), branch_key);
    GroupOutput& branch = group_outputs_[alternative.task->parent][branch_key];
    branch.type = alternative.type;
    branch.selectors = {{TaskName(alternative.task), alternative.name}};
  }
}

FanIn DagPlan::FanInOf(const std::vector<const void*>& consumer_chain,
                       const sema::ValueRef& value) const {
  FanIn fan_in;
  if (value.alternatives.empty() || value.alternatives.front().task == nullptr) return fan_in;
  const sema::ValueRef& source = value.alternatives.front();
  fan_in.producer = source.task;
  std::vector<const void*> upstream = Chain(source.task);
  size_t common = std::min(CommonPrefix(upstream, consumer_chain), upstream.size() - 1);
  fan_in.member = upstream[common];
  fan_in.type = source.type;
  if (fan_in.member == source.task) {
    // The consumer is in the producer's DAG, so nothing is gathered.
    fan_in.key = source.name;
    return fan_in;
  }
  if (value.kind == sema::ValueRef::Kind::kOneOf) {
    auto key = oneof_keys_.find(SignatureOf(value));
    if (key != oneof_keys_.end()) fan_in.key = key->second;
  } else {
    fan_in.key = ChannelOf(source).InputName();
  }
  const auto& outputs = GroupOutputs(fan_in.member);
  auto output = outputs.find(fan_in.key);
  if (output != outputs.end()) fan_in.type = output->second.type;
  return fan_in;
}

Channel DagPlan::FanInChannel(const FanIn& fan_in) const {
  Channel channel;
  channel.full_name = MemberName(fan_in.member) + "-" + fan_in.key;
  channel.is_artifact = fan_in.type.is_artifact;
  channel.type = fan_in.type;
  channel.producer = fan_in.producer;
  channel.member = fan_in.member;
  channel.output = fan_in.key;
  return channel;
}

// A loop over a task's output waits for that task.
void DagPlan::AddIterableDependencies() {
  for (const auto& group : pipeline_.groups) {
    if (group->kind != sema::Group::Kind::kLoop) continue;
    std::vector<const sema::Task*> producers;
    const sema::ValueRef& items = group->iterable;
    if (items.kind == sema::ValueRef::Kind::kTaskOutput && items.task != nullptr) {
      producers.push_back(items.task);
    }
    for (const sema::ValueRef& alternative : items.alternatives) {
      if (alternative.task != nullptr) producers.push_back(alternative.task);
    }
    std::vector<const void*> downstream = GroupChain(group.get());
    for (const sema::Task* producer : producers) {
      std::vector<const void*> upstream = Chain(producer);
      size_t common = CommonPrefix(upstream, downstream);
      if (common >= upstream.size() || common >= downstream.size()) continue;
      dependencies_[downstream[common]].insert(MemberName(upstream[common]));
    }
  }
}

}  // namespace kfpc::lower
