// Exit tasks of exit handlers and the outputs of a pipeline's root DAG.

#include "compiler/lower/dag_plan.h"
#include "compiler/lower/pipeline_builder.h"

namespace kfpc::lower {

// The SDK adds exit tasks to the root DAG after every group's DAG is built, so their components
// and executors are named last.
void PipelineBuilder::BuildExitTasks() {
  for (const sema::Group* group : plan_->GroupsInPreOrder()) {
    if (group->kind != sema::Group::Kind::kExitHandler || group->exit_task == nullptr) continue;
    const sema::Task& exit_task = *group->exit_task;
    const std::string& handler = plan_->GroupName(group);
    ir::TaskSpec spec = BuildTask(exit_task, nullptr);
    spec.dependent_tasks = {handler};
    spec.trigger_strategy = "ALL_UPSTREAM_TASKS_COMPLETED";
    for (const sema::InputDef& input : exit_task.component->inputs) {
      if (input.type.is_artifact || input.type.param != sema::ParamType::kTaskFinalStatus) continue;
      ir::TaskInputParameter parameter;
      parameter.task_final_status_producer = handler;
      spec.inputs.parameters[input.name] = parameter;
    }
    out_.root.dag->tasks[TaskName(&exit_task)] = std::move(spec);
  }
}

void PipelineBuilder::BuildRootOutputs() {
  ir::DagOutputs& outputs = out_.root.dag->outputs;
  for (const sema::PipelineOutput& output : pipeline_.returns) {
    const sema::ValueRef& value = output.value;
    std::vector<const sema::ValueRef*> sources;
    if (value.kind == sema::ValueRef::Kind::kTaskOutput) {
      sources.push_back(&value);
    } else if (value.kind == sema::ValueRef::Kind::kOneOf) {
      // NOTE: the SDK routes a one-of through the chain wrapper's `...-oneof-N` output; this
      // selects the branch outputs directly.
      for (const sema::ValueRef& alternative : value.alternatives) sources.push_back(&alternative);
    }
    for (const sema::ValueRef* source : sources) {
      if (source->task == nullptr) continue;
      const std::string& producer = TaskName(source->task);
      if (value.type.is_artifact) {
        outputs.artifacts[output.name].push_back({producer, source->name});
      } else {
        ir::DagOutputs::Parameter& parameter = outputs.parameters[output.name];
        parameter.selectors.push_back({producer, source->name});
        parameter.from_oneof = value.kind == sema::ValueRef::Kind::kOneOf;
      }
    }
  }
}

}  // namespace kfpc::lower
