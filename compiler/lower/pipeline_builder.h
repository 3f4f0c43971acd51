#pragma once

// Compiles one pipeline the way the SDK's create_pipeline_spec does: its own task and group
// names, its DAGs, and the components and executors it needs. A pipeline called as a component
// is compiled once on its own and merged into each caller, renaming its components and executors
// where they collide with the caller's.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "compiler/lower/lower.h"
#include "compiler/lower/naming.h"
#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

namespace kfpc::lower {

class DagPlan;
class CompiledPipelineCache;

// One pipeline's PipelineSpec before it is merged anywhere.
struct CompiledPipeline {
  ir::ComponentSpec root;
  std::map<std::string, ir::ComponentSpec> components;
  std::map<std::string, ir::ExecutorSpec> executors;
  std::map<std::string, ir::Value> platform;  // Kubernetes config by executor, when a task has one
};

// Converts a duration ("30s", "5m", "1h") to the seconds form the SDK writes ("300s"). Other
// text, and a number of seconds beyond int64_t, is returned unchanged.
std::string DurationInSeconds(const std::string& duration);

class PipelineBuilder {
 public:
  PipelineBuilder(const sema::Pipeline& pipeline, const LowerOptions& options,
                  CompiledPipelineCache* cache);

  ~PipelineBuilder();

  CompiledPipeline Build();

 private:
  using Members = std::vector<std::variant<const sema::Task*, const sema::Group*>>;

  void BuildDagMembers(const sema::Group* group, const Members& members, ir::ComponentSpec* spec);
  void BuildChainDag(const std::vector<const sema::Group*>& branches, const void* wrapper);
  ir::TaskSpec BuildTask(const sema::Task& task, const void* dag);
  ir::ComponentSpec TaskComponent(const sema::Task& task, const std::string& name);
  // Maps each of the task's runtime_resources to the placeholder of the input that carries it.
  std::map<std::string, std::string> RuntimeResourcePlaceholders(const sema::Task& task) const;
  void AddComponent(const std::string& base, ir::TaskSpec* task, ir::ComponentSpec spec);
  ir::ComponentSpec* AddGroupComponent(const std::string& base, ir::TaskSpec* task,
                                       ir::ComponentSpec spec);
  ir::ComponentSpec MergeSubPipeline(const CompiledPipeline& sub_template);
  void RenameSubComponents(CompiledPipeline* sub);
  const std::string& TaskName(const sema::Task* task) const;

  // Groups (groups.cc, cel.cc and exit_and_outputs.cc).
  void AddGroup(const sema::Group& group, const sema::Group* parent_group,
                ir::ComponentSpec* parent);
  void AddGroupTask(const void* node, const sema::Group* group, const void* parent_dag,
                    ir::ComponentSpec* parent);
  ir::ComponentSpec GroupComponent(const void* node) const;
  ir::TaskSpec GroupTask(const void* node, const void* parent_dag) const;
  void SetLoopIterator(const sema::Group& loop, ir::TaskSpec* task,
                       ir::ComponentSpec* component) const;
  // The CEL text of a condition as the trigger of the condition group `group`.
  std::string Cel(const sema::Group::Condition& condition, const sema::Group* group) const;
  // The CEL text of one side of a comparison, converted to `target` when the two sides differ
  // (kUnspecified: as it is); `type` receives its type before that conversion.
  std::string CelOperand(const sema::ValueRef& value, std::optional<sema::ParamType> conversion,
                         const sema::Group* group, ir::ParameterType target,
                         ir::ParameterType* type) const;
  void BuildExitTasks();
  void BuildRootOutputs();

  const sema::Pipeline& pipeline_;
  const LowerOptions& options_;
  CompiledPipelineCache* cache_;
  std::unique_ptr<DagPlan> plan_;
  CompiledPipeline out_;
  UniqueNames component_names_;
  UniqueNames executor_names_;
  // The component of each group's DAG, by group or chain wrapper; map nodes never move.
  std::unordered_map<const void*, ir::ComponentSpec*> group_components_;
  std::unordered_set<const void*> built_wrappers_;
};

// Compiles each pipeline that is called as a component at most once.
class CompiledPipelineCache {
 public:
  explicit CompiledPipelineCache(const LowerOptions& options) : options_(options) {}
  const CompiledPipeline& Get(const sema::Pipeline& pipeline);

 private:
  const LowerOptions& options_;
  std::map<const sema::Pipeline*, std::unique_ptr<CompiledPipeline>> compiled_;
};

}  // namespace kfpc::lower
