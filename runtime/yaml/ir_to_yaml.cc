#include "runtime/yaml/ir_to_yaml.h"

#include <optional>
#include <string>
#include <variant>

#include "runtime/yaml/emitter.h"

// Maps the typed IR to YAML nodes by the rules of protobuf's MessageToDict, which the SDK applies
// before dumping: JSON (camelCase) field names, fields at their proto3 default left out, int32 as
// numbers, int64 as strings, google.protobuf.Value numbers as doubles.

namespace kfpc::yaml {
namespace {

// Sets `key` when the string is not empty.
void SetString(Node& map, const char* key, const std::string& value) {
  if (!value.empty()) map.Set(key, Node::String(value));
}

void SetTrue(Node& map, const char* key, bool value) {
  if (value) map.Set(key, Node::Bool(true));
}

// Sets `key` when the value is a mapping or sequence with content.
void SetNonEmpty(Node& map, const char* key, Node value) {
  if (value.Size() > 0) map.Set(key, std::move(value));
}

Node StringList(const std::vector<std::string>& items) {
  Node list = Node::Sequence();
  for (const std::string& item : items) list.Append(Node::String(item));
  return list;
}

Node ToNode(const ir::Value& value) {
  struct Visitor {
    Node operator()(std::monostate) const { return Node(); }
    Node operator()(bool b) const { return Node::Bool(b); }
    Node operator()(double d) const { return Node::Double(d); }
    Node operator()(const std::string& s) const { return Node::String(s); }
    Node operator()(const ir::Value::List& list) const {
      Node node = Node::Sequence();
      for (const ir::Value& item : list) node.Append(ToNode(item));
      return node;
    }
    Node operator()(const ir::Value::Struct& fields) const {
      Node node = Node::Mapping();
      for (const auto& [key, item] : fields) node.Set(key, ToNode(item));
      return node;
    }
  };
  return std::visit(Visitor{}, value.kind);
}

// Builds {key: value} with one string entry, left empty when the value is empty.
Node OneString(const char* key, const std::string& value) {
  Node node = Node::Mapping();
  SetString(node, key, value);
  return node;
}

Node ArtifactType(const ir::ArtifactTypeSchema& schema) {
  Node node = Node::Mapping();
  SetString(node, "schemaTitle", schema.schema_title);
  SetString(node, "schemaVersion", schema.schema_version);
  return node;
}

void SetParameterType(Node& node, ir::ParameterType type) {
  if (type != ir::ParameterType::kUnspecified) {
    node.Set("parameterType", Node::String(ir::ParameterTypeName(type)));
  }
}

Node Inputs(const ir::InputsSpec& inputs) {
  Node artifacts = Node::Mapping();
  for (const auto& [name, def] : inputs.artifacts) {
    Node node = Node::Mapping();
    node.Set("artifactType", ArtifactType(def.artifact_type));
    SetString(node, "description", def.description);
    SetTrue(node, "isArtifactList", def.is_artifact_list);
    SetTrue(node, "isOptional", def.is_optional);
    artifacts.Set(name, std::move(node));
  }
  Node parameters = Node::Mapping();
  for (const auto& [name, def] : inputs.parameters) {
    Node node = Node::Mapping();
    if (def.default_value) node.Set("defaultValue", ToNode(*def.default_value));
    SetString(node, "description", def.description);
    SetTrue(node, "isOptional", def.is_optional);
    SetParameterType(node, def.parameter_type);
    parameters.Set(name, std::move(node));
  }
  Node node = Node::Mapping();
  SetNonEmpty(node, "artifacts", std::move(artifacts));
  SetNonEmpty(node, "parameters", std::move(parameters));
  return node;
}

Node Outputs(const ir::OutputsSpec& outputs) {
  Node artifacts = Node::Mapping();
  for (const auto& [name, def] : outputs.artifacts) {
    Node node = Node::Mapping();
    node.Set("artifactType", ArtifactType(def.artifact_type));
    SetString(node, "description", def.description);
    SetTrue(node, "isArtifactList", def.is_artifact_list);
    artifacts.Set(name, std::move(node));
  }
  Node parameters = Node::Mapping();
  for (const auto& [name, def] : outputs.parameters) {
    Node node = Node::Mapping();
    SetString(node, "description", def.description);
    SetParameterType(node, def.parameter_type);
    parameters.Set(name, std::move(node));
  }
  Node node = Node::Mapping();
  SetNonEmpty(node, "artifacts", std::move(artifacts));
  SetNonEmpty(node, "parameters", std::move(parameters));
  return node;
}

Node TaskParameter(const ir::TaskInputParameter& input) {
  Node node = Node::Mapping();
  if (input.task_output_parameter) {
    Node source = Node::Mapping();
    SetString(source, "outputParameterKey", input.task_output_parameter->output_parameter_key);
    SetString(source, "producerTask", input.task_output_parameter->producer_task);
    node.Set("taskOutputParameter", std::move(source));
  }
  if (input.runtime_value) {
    Node constant = Node::Mapping();
    constant.Set("constant", ToNode(*input.runtime_value));
    node.Set("runtimeValue", std::move(constant));
  }
  if (input.component_input_parameter) {
    node.Set("componentInputParameter", Node::String(*input.component_input_parameter));
  }
  if (input.task_final_status_producer) {
    node.Set("taskFinalStatus", OneString("producerTask", *input.task_final_status_producer));
  }
  SetString(node, "parameterExpressionSelector", input.parameter_expression_selector);
  return node;
}

Node TaskArtifact(const ir::TaskInputArtifact& input) {
  Node node = Node::Mapping();
  if (input.task_output_artifact) {
    Node source = Node::Mapping();
    SetString(source, "outputArtifactKey", input.task_output_artifact->output_artifact_key);
    SetString(source, "producerTask", input.task_output_artifact->producer_task);
    node.Set("taskOutputArtifact", std::move(source));
  }
  if (input.component_input_artifact) {
    node.Set("componentInputArtifact", Node::String(*input.component_input_artifact));
  }
  return node;
}

Node TaskInputs(const ir::TaskInputs& inputs) {
  Node artifacts = Node::Mapping();
  for (const auto& [name, input] : inputs.artifacts) artifacts.Set(name, TaskArtifact(input));
  Node parameters = Node::Mapping();
  for (const auto& [name, input] : inputs.parameters) parameters.Set(name, TaskParameter(input));
  Node node = Node::Mapping();
  SetNonEmpty(node, "artifacts", std::move(artifacts));
  SetNonEmpty(node, "parameters", std::move(parameters));
  return node;
}

Node RetryPolicy(const ir::RetryPolicy& policy) {
  Node node = Node::Mapping();
  SetString(node, "backoffDuration", policy.backoff_duration);
  if (policy.backoff_factor != 0) node.Set("backoffFactor", Node::Double(policy.backoff_factor));
  SetString(node, "backoffMaxDuration", policy.backoff_max_duration);
  if (policy.max_retry_count != 0) node.Set("maxRetryCount", Node::Int(policy.max_retry_count));
  return node;
}

// The iterator and trigger parts of a task, which only loops and conditions set.
void SetTaskControl(Node& node, const ir::TaskSpec& task) {
  if (task.parameter_iterator) {
    Node items = Node::Mapping();
    if (task.parameter_iterator->items_raw) {
      items.Set("raw", Node::String(*task.parameter_iterator->items_raw));
    }
    if (task.parameter_iterator->items_input_parameter) {
      items.Set("inputParameter", Node::String(*task.parameter_iterator->items_input_parameter));
    }
    Node iterator = Node::Mapping();
    SetString(iterator, "itemInput", task.parameter_iterator->item_input);
    iterator.Set("items", std::move(items));
    node.Set("parameterIterator", std::move(iterator));
  }
  if (task.artifact_iterator) {
    Node iterator = Node::Mapping();
    SetString(iterator, "itemInput", task.artifact_iterator->item_input);
    iterator.Set("items", OneString("inputArtifact", task.artifact_iterator->items_input_artifact));
    node.Set("artifactIterator", std::move(iterator));
  }
  if (task.parallelism_limit) {
    Node policy = Node::Mapping();
    if (*task.parallelism_limit != 0) {
      policy.Set("parallelismLimit", Node::Int(*task.parallelism_limit));
    }
    node.Set("iteratorPolicy", std::move(policy));
  }
  if (task.trigger_condition || !task.trigger_strategy.empty()) {
    Node trigger = Node::Mapping();
    if (task.trigger_condition) SetString(trigger, "condition", *task.trigger_condition);
    SetString(trigger, "strategy", task.trigger_strategy);
    node.Set("triggerPolicy", std::move(trigger));
  }
}

Node Task(const ir::TaskSpec& task) {
  Node node = Node::Mapping();
  if (task.caching_options) {
    Node caching = Node::Mapping();
    SetString(caching, "cacheKey", task.caching_options->cache_key);
    SetTrue(caching, "enableCache", task.caching_options->enable_cache);
    node.Set("cachingOptions", std::move(caching));
  }
  node.Set("componentRef", OneString("name", task.component_ref));
  SetNonEmpty(node, "dependentTasks", StringList(task.dependent_tasks));
  if (!task.inputs.empty()) node.Set("inputs", TaskInputs(task.inputs));
  if (task.retry_policy) node.Set("retryPolicy", RetryPolicy(*task.retry_policy));
  node.Set("taskInfo", OneString("name", task.task_info_name));
  SetTaskControl(node, task);
  return node;
}

Node DagOutputs(const ir::DagOutputs& outputs) {
  Node artifacts = Node::Mapping();
  for (const auto& [name, selectors] : outputs.artifacts) {
    Node list = Node::Sequence();
    for (const auto& selector : selectors) {
      Node item = Node::Mapping();
      SetString(item, "outputArtifactKey", selector.output_artifact_key);
      SetString(item, "producerSubtask", selector.producer_subtask);
      list.Append(std::move(item));
    }
    Node spec = Node::Mapping();
    spec.Set("artifactSelectors", std::move(list));
    artifacts.Set(name, std::move(spec));
  }
  Node parameters = Node::Mapping();
  for (const auto& [name, parameter] : outputs.parameters) {
    Node list = Node::Sequence();
    Node last;
    for (const auto& selector : parameter.selectors) {
      Node item = Node::Mapping();
      SetString(item, "outputParameterKey", selector.output_parameter_key);
      SetString(item, "producerSubtask", selector.producer_subtask);
      last = item;
      list.Append(std::move(item));
    }
    Node spec = Node::Mapping();
    if (parameter.selectors.size() == 1 && !parameter.from_oneof) {
      spec.Set("valueFromParameter", std::move(last));
    } else {
      Node oneof = Node::Mapping();
      oneof.Set("parameterSelectors", std::move(list));
      spec.Set("valueFromOneof", std::move(oneof));
    }
    parameters.Set(name, std::move(spec));
  }
  Node node = Node::Mapping();
  SetNonEmpty(node, "artifacts", std::move(artifacts));
  SetNonEmpty(node, "parameters", std::move(parameters));
  return node;
}

Node Component(const ir::ComponentSpec& component) {
  Node node = Node::Mapping();
  if (component.dag) {
    Node dag = Node::Mapping();
    if (!component.dag->outputs.empty()) dag.Set("outputs", DagOutputs(component.dag->outputs));
    Node tasks = Node::Mapping();
    for (const auto& [name, task] : component.dag->tasks) tasks.Set(name, Task(task));
    SetNonEmpty(dag, "tasks", std::move(tasks));
    node.Set("dag", std::move(dag));
  }
  SetString(node, "executorLabel", component.executor_label);
  if (!component.input_definitions.empty()) {
    node.Set("inputDefinitions", Inputs(component.input_definitions));
  }
  if (!component.output_definitions.empty()) {
    node.Set("outputDefinitions", Outputs(component.output_definitions));
  }
  return node;
}

Node Resources(const ir::Resources& resources) {
  Node node = Node::Mapping();
  if (resources.accelerator) {
    const ir::Accelerator& accelerator = *resources.accelerator;
    Node item = Node::Mapping();
    // count is an int64, which proto JSON writes as a string.
    if (accelerator.count && *accelerator.count != 0) {
      item.Set("count", Node::String(std::to_string(*accelerator.count)));
    }
    SetString(item, "resourceCount", accelerator.resource_count);
    SetString(item, "resourceType", accelerator.resource_type);
    SetString(item, "type", accelerator.type);
    node.Set("accelerator", std::move(item));
  }
  auto set_double = [&node](const char* key, const std::optional<double>& value) {
    if (value && *value != 0) node.Set(key, Node::Double(*value));
  };
  set_double("cpuLimit", resources.cpu_limit);
  set_double("cpuRequest", resources.cpu_request);
  set_double("memoryLimit", resources.memory_limit);
  set_double("memoryRequest", resources.memory_request);
  SetString(node, "resourceCpuLimit", resources.resource_cpu_limit);
  SetString(node, "resourceCpuRequest", resources.resource_cpu_request);
  SetString(node, "resourceMemoryLimit", resources.resource_memory_limit);
  SetString(node, "resourceMemoryRequest", resources.resource_memory_request);
  return node;
}

Node Container(const ir::ContainerSpec& container) {
  Node node = Node::Mapping();
  SetNonEmpty(node, "args", StringList(container.args));
  SetNonEmpty(node, "command", StringList(container.command));
  Node env = Node::Sequence();
  for (const ir::EnvVar& var : container.env) {
    Node item = Node::Mapping();
    SetString(item, "name", var.name);
    SetString(item, "value", var.value);
    env.Append(std::move(item));
  }
  SetNonEmpty(node, "env", std::move(env));
  SetString(node, "image", container.image);
  if (!container.resources.empty()) node.Set("resources", Resources(container.resources));
  return node;
}

Node Importer(const ir::ImporterSpec& importer) {
  Node node = Node::Mapping();
  Node uri = Node::Mapping();
  if (importer.artifact_uri_constant) {
    uri.Set("constant", Node::String(*importer.artifact_uri_constant));
  }
  if (importer.artifact_uri_runtime_parameter) {
    uri.Set("runtimeParameter", Node::String(*importer.artifact_uri_runtime_parameter));
  }
  node.Set("artifactUri", std::move(uri));
  if (importer.metadata) node.Set("metadata", ToNode(*importer.metadata));
  SetTrue(node, "reimport", importer.reimport);
  node.Set("typeSchema", ArtifactType(importer.type_schema));
  return node;
}

Node ExecutorNode(const ir::ExecutorSpec& executor) {
  Node node = Node::Mapping();
  if (executor.container) node.Set("container", Container(*executor.container));
  if (executor.importer) node.Set("importer", Importer(*executor.importer));
  return node;
}


// Appends the YAML of `section`, a mapping of one top-level key, to `out`, and frees the
// section's nodes. A block mapping's entries at indent 0 are written independently of each other,
// so the pieces joined give the same bytes as the whole mapping written at once.
void AppendSection(Node section, std::string& out) {
  if (section.Size() == 0) return;
  std::vector<Node> documents;
  documents.push_back(std::move(section));
  AppendDocuments(documents, out);
}

// Writes the PipelineSpec in parts, in key order: each component, the deployment spec, and the
// rest. Each part's node tree is freed before the next is built, so that the spec is never held
// as nodes at once and the nodes being written stay small enough for the processor's caches.
void AppendPipelineSpec(const ir::PipelineSpec& spec, std::string& out) {
  if (!spec.components.empty()) {
    out += "components:";
    for (const auto& [name, component] : spec.components) {
      AppendNestedEntry(name, Component(component), out);
    }
    out += '\n';
  }
  Node section = Node::Mapping();
  SetString(section, "defaultPipelineRoot", spec.default_pipeline_root);
  AppendSection(std::move(section), out);
  if (!spec.executors.empty()) {
    Node executors = Node::Mapping();
    for (const auto& [name, executor] : spec.executors) executors.Set(name, ExecutorNode(executor));
    Node deployment = Node::Mapping();
    deployment.Set("executors", std::move(executors));
    section = Node::Mapping();
    section.Set("deploymentSpec", std::move(deployment));
    AppendSection(std::move(section), out);
  }
  Node info = Node::Mapping();
  SetString(info, "description", spec.pipeline_info.description);
  SetString(info, "displayName", spec.pipeline_info.display_name);
  SetString(info, "name", spec.pipeline_info.name);
  section = Node::Mapping();
  section.Set("pipelineInfo", std::move(info));
  section.Set("root", Component(spec.root));
  SetString(section, "schemaVersion", spec.schema_version);
  SetString(section, "sdkVersion", spec.sdk_version);
  AppendSection(std::move(section), out);
}

}  // namespace

std::string WriteDocument(const ir::Document& document) {
  std::string out;
  for (const std::string& line : HeaderLines(document.pipeline)) out += line + "\n";
  AppendPipelineSpec(document.pipeline, out);
  if (!document.platform.empty()) {
    Node kubernetes = Node::Mapping();
    if (!document.platform.executors.empty()) {
      Node executors = Node::Mapping();
      for (const auto& [name, config] : document.platform.executors) {
        executors.Set(name, ToNode(config));
      }
      Node deployment = Node::Mapping();
      deployment.Set("executors", std::move(executors));
      kubernetes.Set("deploymentSpec", std::move(deployment));
    }
    if (document.platform.pipeline_config) {
      kubernetes.Set("pipelineConfig", ToNode(*document.platform.pipeline_config));
    }
    Node platforms = Node::Mapping();
    platforms.Set("kubernetes", std::move(kubernetes));
    Node root = Node::Mapping();
    root.Set("platforms", std::move(platforms));
    out += "---\n";
    AppendSection(std::move(root), out);
  }
  return out;
}

}  // namespace kfpc::yaml
