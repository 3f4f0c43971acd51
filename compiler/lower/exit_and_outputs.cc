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
    // The Argo backend runs the exit task as a hook of each task in this list, so it names only
    // the handler. The handler waits for what the exit task reads (DagPlan::AddDependencies).
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
    std::string producer, key;
    if (value.kind == sema::ValueRef::Kind::kTaskOutput && value.task != nullptr) {
      producer = TaskName(value.task);
      key = value.name;
    } else if (value.kind == sema::ValueRef::Kind::kCollected ||
               value.kind == sema::ValueRef::Kind::kOneOf) {
      FanIn fan_in = plan_->FanInOf({}, value);
      if (fan_in.member == nullptr) continue;
      producer = plan_->MemberName(fan_in.member);
      key = fan_in.key;
    } else {
      continue;
    }
    if (value.type.is_artifact) {
      outputs.artifacts[output.name].push_back({producer, key});
    } else {
      outputs.parameters[output.name].selectors.push_back({producer, key});
    }
  }
}

}  // namespace kfpc::lower
