// The parts of DagPlan that only groups need: which channels cross into each group's DAG.

#include "compiler/lower/dag_plan.h"

#include <algorithm>

namespace kfpc::lower {

const void* DagPlan::ChainNode(const sema::Group* group) const {
  if (group->kind != sema::Group::Kind::kCondition) return nullptr;
  auto wrapper = chain_names_.find(group->chain_id);
  return wrapper == chain_names_.end() ? nullptr : &wrapper->second;
}

std::vector<const void*> DagPlan::GroupChain(const sema::Group* group) const {
  std::vector<const void*> chain;
  for (; group != nullptr; group = group->parent) {
    chain.push_back(group);
    if (const void* wrapper = ChainNode(group)) chain.push_back(wrapper);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::string DagPlan::LoopItemInput(const sema::Group* loop) const {
  sema::ValueRef item;
  item.kind = sema::ValueRef::Kind::kLoopItem;
  item.loop = loop;
  return ChannelOf(item).InputName();
}

const std::map<std::string, Channel>& DagPlan::GroupInputs(const void* node) const {
  static const std::map<std::string, Channel> kNone;
  auto it = group_inputs_.find(node);
  return it == group_inputs_.end() ? kNone : it->second;
}

// Adds `channel` as an input of the groups chain[from, to).
void DagPlan::AddChannel(const std::vector<const void*>& chain, size_t from, size_t to,
                         const Channel& channel) {
  for (size_t i = from; i < to && i < chain.size(); ++i) {
    if (task_names_.count(static_cast<const sema::Task*>(chain[i])) != 0) continue;
    group_inputs_[chain[i]].emplace(channel.InputName(), channel);
  }
}

void DagPlan::CollectGroupInputs(const sema::Task* task) {
  if (IsExitTask(task)) return;
  std::vector<const void*> chain = Chain(task);
  std::vector<const sema::ValueRef*> values = ReferencedValues(task);
  for (const sema::ValueRef* value : values) {
    using Kind = sema::ValueRef::Kind;
    if (value->kind == Kind::kPipelineInput) {
      AddChannel(chain, 0, chain.size() - 1, ChannelOf(*value));
    } else if (value->kind == Kind::kTaskOutput && value->task != nullptr) {
      std::vector<const void*> upstream = Chain(value->task);
      size_t common = 0;
      while (common < upstream.size() && common < chain.size() &&
             upstream[common] == chain[common]) {
        ++common;
      }
      AddChannel(chain, common, chain.size() - 1, ChannelOf(*value));
    } else if ((value->kind == Kind::kCollected || value->kind == Kind::kOneOf) &&
               !value->alternatives.empty() && value->alternatives.front().task != nullptr) {
      FanIn fan_in = FanInOf(chain, *value);
      std::vector<const void*> upstream = Chain(fan_in.producer);
      size_t common = 0;
      while (common < upstream.size() && common < chain.size() &&
             upstream[common] == chain[common]) {
        ++common;
      }
      AddChannel(chain, common, chain.size() - 1, FanInChannel(fan_in));
    } else if (value->kind == Kind::kLoopItem && value->loop != nullptr) {
      // Groups nested inside the loop receive the item; the loop itself produces it.
      auto loop = std::find(chain.begin(), chain.end(), value->loop);
      if (loop == chain.end()) continue;
      AddChannel(chain, (loop - chain.begin()) + 1, chain.size() - 1, ChannelOf(*value));
    }
  }
  // A loop over a pipeline input or a task output needs the list in its own DAG's parent chain.
  for (const sema::Group* group = task->parent; group != nullptr; group = group->parent) {
    if (group->kind != sema::Group::Kind::kLoop) continue;
    const sema::ValueRef& items = group->iterable;
    if (items.kind == sema::ValueRef::Kind::kConstant) continue;
    std::vector<const void*> loop_chain = GroupChain(group);
    size_t from = 0;
    if (items.kind == sema::ValueRef::Kind::kTaskOutput && items.task != nullptr) {
      std::vector<const void*> upstream = Chain(items.task);
      while (from < upstream.size() && from < loop_chain.size() &&
             upstream[from] == loop_chain[from]) {
        ++from;
      }
    }
    if (items.kind == sema::ValueRef::Kind::kLoopItem) {
      // The outer loop produces its item, so only the groups inside it receive the item.
      auto outer = std::find(loop_chain.begin(), loop_chain.end(), items.loop);
      if (outer == loop_chain.end()) continue;
      from = (outer - loop_chain.begin()) + 1;
      sema::ValueRef whole_item = items;
      whole_item.field.clear();
      Channel item = ChannelOf(whole_item);
      item.type = sema::Type{};
      if (items.loop->iterable.type.element) item.type = *items.loop->iterable.type.element;
      AddChannel(loop_chain, from, loop_chain.size(), item);
    }
    AddChannel(loop_chain, from, loop_chain.size(), IterableChannel(*group));
  }
}

void DagPlan::ResolveGroupValue(const void* group, const std::string& input_name,
                                const sema::ValueRef& value, bool is_artifact,
                                ir::TaskInputs* inputs) const {
  using Kind = sema::ValueRef::Kind;
  if (value.kind == Kind::kTaskFinalStatus) {
    // The exit task reads the final status of its handler's body.
    for (const sema::Group* candidate : groups_pre_order_) {
      if (candidate->kind == sema::Group::Kind::kExitHandler) {
        inputs->parameters[input_name].task_final_status_producer = GroupName(candidate);
        break;
      }
    }
    return;
  }
  if (value.alternatives.empty() || value.alternatives.front().task == nullptr) return;
  const sema::Group* dag = static_cast<const sema::Group*>(group);
  FanIn fan_in = FanInOf(GroupChain(dag), value);
  if (MemberIn(group, fan_in.producer) == fan_in.member) {
    // The gathering group is a member of this DAG: read its output.
    const std::string producer = MemberName(fan_in.member);
    if (is_artifact) {
      inputs->artifacts[input_name].task_output_artifact = {producer, fan_in.key};
    } else {
      inputs->parameters[input_name].task_output_parameter = {producer, fan_in.key};
    }
    return;
  }
  std::string channel = FanInChannel(fan_in).InputName();
  if (is_artifact) {
    inputs->artifacts[input_name].component_input_artifact = channel;
  } else {
    inputs->parameters[input_name].component_input_parameter = channel;
  }
}

}  // namespace kfpc::lower
