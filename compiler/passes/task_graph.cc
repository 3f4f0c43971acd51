#include "compiler/passes/task_graph.h"

#include <fmt/format.h>

#include <functional>
#include <memory>
#include <set>
#include <unordered_map>

#include "compiler/lower/dag_plan.h"

namespace kfpc::passes {

namespace {

// The origin of each input of a DAG's component, by input name.
struct DagInputs {
  std::map<std::string, InputSource> parameters;
  std::map<std::string, InputSource> artifacts;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(const ir::PipelineSpec& spec) : spec_(spec) {}

  // Adds the tasks of `dag`, which belongs to `pipeline`, under `prefix`; returns their ids.
  std::vector<std::string> Visit(const ir::Dag& dag, const sema::Pipeline& pipeline,
                                 const std::string& prefix, const DagInputs& inputs);

  TaskGraph graph;

 private:
  const std::map<std::string, const sema::Task*>& TaskNames(const sema::Pipeline& pipeline);
  InputSource Resolve(const ir::TaskInputParameter& input, const std::string& prefix,
                      const DagInputs& inputs) const;
  InputSource Resolve(const ir::TaskInputArtifact& input, const std::string& prefix,
                      const DagInputs& inputs) const;
  void AddNode(const std::string& name, const ir::TaskSpec& task, const sema::Pipeline& pipeline,
               const std::string& prefix, const DagInputs& inputs);

  const ir::PipelineSpec& spec_;
  std::map<const sema::Pipeline*, std::map<std::string, const sema::Task*>> task_names_;
};

const std::map<std::string, const sema::Task*>& GraphBuilder::TaskNames(
    const sema::Pipeline& pipeline) {
  auto [it, inserted] = task_names_.try_emplace(&pipeline);
  if (inserted) {
    // The same naming that lowering used, so the names match the IR's task keys.
    lower::DagPlan plan(pipeline);
    for (const auto& task : pipeline.tasks) it->second[plan.TaskName(task.get())] = task.get();
  }
  return it->second;
}

InputSource GraphBuilder::Resolve(const ir::TaskInputParameter& input, const std::string& prefix,
                                  const DagInputs& inputs) const {
  InputSource source;
  if (input.runtime_value) {
    source.kind = InputSource::Kind::kConstant;
    source.constant = CanonicalJson(*input.runtime_value);
  } else if (input.task_output_parameter) {
    source.kind = InputSource::Kind::kUpstream;
    source.upstream = prefix + "/" + input.task_output_parameter->producer_task;
    source.output = input.task_output_parameter->output_parameter_key;
  } else if (input.component_input_parameter) {
    auto it = inputs.parameters.find(*input.component_input_parameter);
    if (it != inputs.parameters.end()) return it->second;
    source.runtime = "input `" + *input.component_input_parameter + "`";
  } else if (input.task_final_status_producer) {
    source.runtime = "final status of `" + *input.task_final_status_producer + "`";
  }
  if (!input.parameter_expression_selector.empty()) {
    source.output += "|" + input.parameter_expression_selector;
  }
  return source;
}

InputSource GraphBuilder::Resolve(const ir::TaskInputArtifact& input, const std::string& prefix,
                                  const DagInputs& inputs) const {
  InputSource source;
  if (input.task_output_artifact) {
    source.kind = InputSource::Kind::kUpstream;
    source.upstream = prefix + "/" + input.task_output_artifact->producer_task;
    source.output = input.task_output_artifact->output_artifact_key;
  } else if (input.component_input_artifact) {
    auto it = inputs.artifacts.find(*input.component_input_artifact);
    if (it != inputs.artifacts.end()) return it->second;
    source.runtime = "input `" + *input.component_input_artifact + "`";
  }
  return source;
}

void GraphBuilder::AddNode(const std::string& name, const ir::TaskSpec& task,
                           const sema::Pipeline& pipeline, const std::string& prefix,
                           const DagInputs& inputs) {
  TaskNode node;
  node.id = prefix + "/" + name;
  node.spec = &task;
  auto component = spec_.components.find(task.component_ref);
  if (component == spec_.components.end()) return;
  node.component = &component->second;
  node.executor_label = component->second.executor_label;
  const auto& names = TaskNames(pipeline);
  auto found = names.find(name);
  if (found != names.end()) node.task = found->second;

  DagInputs own;
  for (const auto& [key, input] : task.inputs.parameters) {
    own.parameters[key] = node.parameters[key] = Resolve(input, prefix, inputs);
  }
  for (const auto& [key, input] : task.inputs.artifacts) {
    own.artifacts[key] = node.artifacts[key] = Resolve(input, prefix, inputs);
  }
  if (node.component->dag) {
    // A sub-pipeline's DAG belongs to the called pipeline; a group's DAG to this one.
    const sema::Pipeline* inner = &pipeline;
    if (node.task && node.task->component->kind == sema::Component::Kind::kPipeline) {
      inner = node.task->component->pipeline;
      node.task = nullptr;
    }
    node.members = Visit(*node.component->dag, *inner, node.id, own);
  }
  graph.order.push_back(node.id);
  graph.nodes[node.id] = std::move(node);
}

std::vector<std::string> GraphBuilder::Visit(const ir::Dag& dag, const sema::Pipeline& pipeline,
                                             const std::string& prefix, const DagInputs& inputs) {
  // Adds producers first: a task's upstream tasks are in the same DAG and named by its inputs
  // and `dependentTasks`.
  std::set<std::string> done;
  std::vector<std::string> ids;
  std::function<void(const std::string&)> add = [&](const std::string& name) {
    if (!done.insert(name).second) return;
    const ir::TaskSpec& task = dag.tasks.at(name);
    for (const std::string& upstream : task.dependent_tasks) {
      if (dag.tasks.count(upstream)) add(upstream);
    }
    for (const auto& [key, input] : task.inputs.parameters) {
      if (input.task_output_parameter && dag.tasks.count(input.task_output_parameter->producer_task)) {
        add(input.task_output_parameter->producer_task);
      }
    }
    for (const auto& [key, input] : task.inputs.artifacts) {
      if (input.task_output_artifact && dag.tasks.count(input.task_output_artifact->producer_task)) {
        add(input.task_output_artifact->producer_task);
      }
    }
    AddNode(name, task, pipeline, prefix, inputs);
    ids.push_back(prefix + "/" + name);
  };
  for (const auto& [name, task] : dag.tasks) add(name);
  return ids;
}

void AppendJson(const ir::Value& value, std::string* out) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          *out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          *out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          *out += fmt::format("{:.17g}", v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          *out += '"';
          for (char c : v) {
            if (c == '"' || c == '\\') *out += '\\';
            if (static_cast<unsigned char>(c) < 0x20) {
              *out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
            } else {
              *out += c;
            }
          }
          *out += '"';
        } else if constexpr (std::is_same_v<T, ir::Value::List>) {
          *out += '[';
          for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) *out += ',';
            AppendJson(v[i], out);
          }
          *out += ']';
        } else {
          *out += '{';
          bool first = true;
          for (const auto& [key, item] : v) {
            if (!first) *out += ',';
            first = false;
            AppendJson(ir::Value::String(key), out);
            *out += ':';
            AppendJson(item, out);
          }
          *out += '}';
        }
      },
      value.kind);
}

}  // namespace

std::string CanonicalJson(const ir::Value& value) {
  std::string out;
  AppendJson(value, &out);
  return out;
}

TaskGraph BuildTaskGraph(const sema::Pipeline& entry, const ir::PipelineSpec& spec) {
  GraphBuilder builder(spec);
  DagInputs root_inputs;
  for (const auto& [name, definition] : spec.root.input_definitions.parameters) {
    root_inputs.parameters[name].runtime = "pipeline input `" + name + "`";
  }
  for (const auto& [name, definition] : spec.root.input_definitions.artifacts) {
    root_inputs.artifacts[name].runtime = "pipeline input `" + name + "`";
  }
  if (spec.root.dag) builder.Visit(*spec.root.dag, entry, "root", root_inputs);
  return std::move(builder.graph);
}

}  // namespace kfpc::passes
