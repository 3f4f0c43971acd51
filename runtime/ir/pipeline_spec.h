#pragma once

// A typed model of the KFP v2 PipelineSpec (pipeline_spec.proto, schemaVersion 2.1.0) and of the
// kfp-kubernetes PlatformSpec. Field names follow the proto's JSON names. Maps are std::map so that
// iteration is in sorted key order, as the SDK writes them. An unset std::optional, an empty string,
// an empty container and a false bool are proto3 defaults and are left out of the YAML, exactly
// as the SDK's MessageToDict leaves them out, unless the field's comment states otherwise.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/ir/value.h"

namespace kfpc::ir {

enum class ParameterType {
  kUnspecified,
  kNumberDouble,
  kNumberInteger,
  kString,
  kBoolean,
  kList,
  kStruct,
  kTaskFinalStatus,
};
const char* ParameterTypeName(ParameterType type);  // "NUMBER_DOUBLE", ...

struct ArtifactTypeSchema {
  std::string schema_title;
  std::string schema_version;
};

struct InputParameterDef {
  ParameterType parameter_type = ParameterType::kUnspecified;
  std::optional<Value> default_value;
  bool is_optional = false;
  std::string description;
};

struct InputArtifactDef {
  ArtifactTypeSchema artifact_type;
  bool is_artifact_list = false;
  bool is_optional = false;
  std::string description;
};

struct OutputParameterDef {
  ParameterType parameter_type = ParameterType::kUnspecified;
  std::string description;
};

struct OutputArtifactDef {
  ArtifactTypeSchema artifact_type;
  bool is_artifact_list = false;
  std::string description;
};

struct InputsSpec {
  std::map<std::string, InputArtifactDef> artifacts;
  std::map<std::string, InputParameterDef> parameters;
  bool empty() const { return artifacts.empty() && parameters.empty(); }
};

struct OutputsSpec {
  std::map<std::string, OutputArtifactDef> artifacts;
  std::map<std::string, OutputParameterDef> parameters;
  bool empty() const { return artifacts.empty() && parameters.empty(); }
};

// TaskInputsSpec.InputParameterSpec: exactly one source is set.
struct TaskInputParameter {
  struct TaskOutput {
    std::string producer_task;
    std::string output_parameter_key;
  };
  std::optional<TaskOutput> task_output_parameter;
  std::optional<Value> runtime_value;  // runtimeValue.constant
  std::optional<std::string> component_input_parameter;
  std::optional<std::string> task_final_status_producer;  // taskFinalStatus.producerTask
  std::string parameter_expression_selector;
};

struct TaskInputArtifact {
  struct TaskOutput {
    std::string producer_task;
    std::string output_artifact_key;
  };
  std::optional<TaskOutput> task_output_artifact;
  std::optional<std::string> component_input_artifact;
};

struct TaskInputs {
  std::map<std::string, TaskInputArtifact> artifacts;
  std::map<std::string, TaskInputParameter> parameters;
  bool empty() const { return artifacts.empty() && parameters.empty(); }
};

struct RetryPolicy {
  int32_t max_retry_count = 0;
  std::string backoff_duration;      // "0s"
  double backoff_factor = 0;         // written even when 2.0
  std::string backoff_max_duration;  // "3600s"
};

struct ParameterIterator {
  std::optional<std::string> items_raw;              // items.raw: JSON text of the list
  std::optional<std::string> items_input_parameter;  // items.inputParameter
  std::string item_input;
};

struct ArtifactIterator {
  std::string items_input_artifact;
  std::string item_input;
};

struct CachingOptions {
  bool enable_cache = false;
  std::string cache_key;
  // The SDK writes `cachingOptions: {}` when caching is off, so the message itself is present.
};

struct TaskSpec {
  std::string task_info_name;
  TaskInputs inputs;
  std::vector<std::string> dependent_tasks;  // sorted, as the SDK sorts them
  std::optional<CachingOptions> caching_options;
  std::string component_ref;
  std::optional<std::string> trigger_condition;  // triggerPolicy.condition
  std::string trigger_strategy;                  // triggerPolicy.strategy, e.g.
                                                 // "ALL_UPSTREAM_TASKS_COMPLETED"
  std::optional<ParameterIterator> parameter_iterator;
  std::optional<ArtifactIterator> artifact_iterator;
  std::optional<int32_t> parallelism_limit;  // iteratorPolicy.parallelismLimit
  std::optional<RetryPolicy> retry_policy;
};

struct DagOutputs {
  struct ArtifactSelector {
    std::string producer_subtask;
    std::string output_artifact_key;
  };
  struct ParameterSelector {
    std::string producer_subtask;
    std::string output_parameter_key;
  };
  std::map<std::string, std::vector<ArtifactSelector>> artifacts;  // artifactSelectors
  // valueFromParameter when one selector and not from_oneof; valueFromOneof otherwise.
  struct Parameter {
    std::vector<ParameterSelector> selectors;
    bool from_oneof = false;
  };
  std::map<std::string, Parameter> parameters;
  bool empty() const { return artifacts.empty() && parameters.empty(); }
};

struct Dag {
  std::map<std::string, TaskSpec> tasks;
  DagOutputs outputs;
};

struct ComponentSpec {
  InputsSpec input_definitions;
  OutputsSpec output_definitions;
  std::string executor_label;  // set for container and importer components
  std::optional<Dag> dag;      // set for pipelines and groups
};

struct EnvVar {
  std::string name;
  std::string value;
};

struct Accelerator {
  std::string type;           // "nvidia.com/gpu"
  std::optional<int64_t> count;  // written as a string, as int64 is in proto JSON
  std::string resource_type;
  std::string resource_count;
};

// PipelineContainerSpec.ResourceSpec. The double fields are the deprecated numeric forms that
// the SDK still writes beside the string forms.
struct Resources {
  std::optional<double> cpu_limit, memory_limit, cpu_request, memory_request;
  std::string resource_cpu_limit, resource_memory_limit, resource_cpu_request,
      resource_memory_request;
  std::optional<Accelerator> accelerator;
  bool empty() const {
    return !cpu_limit && !memory_limit && !cpu_request && !memory_request &&
           resource_cpu_limit.empty() && resource_memory_limit.empty() &&
           resource_cpu_request.empty() && resource_memory_request.empty() && !accelerator;
  }
};

struct ContainerSpec {
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  Resources resources;
};

struct ImporterSpec {
  std::optional<std::string> artifact_uri_constant;           // artifactUri.constant
  std::optional<std::string> artifact_uri_runtime_parameter;  // artifactUri.runtimeParameter
  ArtifactTypeSchema type_schema;
  std::optional<Value> metadata;  // a Struct
  bool reimport = false;
};

struct ExecutorSpec {
  std::optional<ContainerSpec> container;
  std::optional<ImporterSpec> importer;
};

struct PipelineInfo {
  std::string name;
  std::string display_name;
  std::string description;
};

struct PipelineSpec {
  PipelineInfo pipeline_info;
  std::map<std::string, ComponentSpec> components;
  std::map<std::string, ExecutorSpec> executors;  // deploymentSpec.executors
  ComponentSpec root;
  std::string schema_version = "2.1.0";
  std::string sdk_version;  // "kfpc-<version>"
  std::string default_pipeline_root;
  // The "# Description:" text of the header comment when it differs from
  // pipeline_info.description: the SDK writes a component compiled as a pipeline with its
  // description in the header only. Unset means pipeline_info.description.
  std::optional<std::string> header_description;
};

// The kfp-kubernetes PlatformSpec, written as a second YAML document when any task has Kubernetes
// settings: platforms.kubernetes.deploymentSpec.executors.<executor>. Each executor's config is
// kept as a generic Struct value that mirrors KubernetesExecutorConfig's JSON form.
struct PlatformSpec {
  std::map<std::string, Value> executors;
  // `pipelineConfig` of the Kubernetes platform, such as `{workspace: {size: 1Gi}}`, when set.
  std::optional<Value> pipeline_config;
  bool empty() const { return executors.empty() && !pipeline_config; }
};

// One compiled pipeline: what `kfpc build` writes.
struct Document {
  PipelineSpec pipeline;
  PlatformSpec platform;
};

}  // namespace kfpc::ir
