#pragma once

// The checked program: what the checker produces and lowering consumes. Every name is resolved,
// every value is typed, and every construct that the checker accepted is representable here, so
// lowering never needs the syntax tree and never reports a user error about names or types.
// Spans point back into the sources for later passes and the language server.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "compiler/diagnostics/source_manager.h"

namespace kfpc::sema {

using diag::Span;

enum class ParamType { kString, kInt, kFloat, kBool, kList, kDict, kTaskFinalStatus };

struct ArtifactType {
  std::string schema_title;  // "system.Dataset", "acme.Tabular"
  std::string schema_version = "0.0.1";
  std::string name;  // as declared in kfpc: "Dataset", "Tabular"
  // The Python module that defines the class of this name ("aiplatform"), from which a Python
  // component imports it; empty when none is declared.
  std::string python_module;
  friend bool operator==(const ArtifactType&, const ArtifactType&) = default;
};

struct Type {
  bool is_artifact = false;
  ParamType param = ParamType::kString;  // when !is_artifact
  ArtifactType artifact;                 // when is_artifact
  bool is_list = false;                  // list of artifacts (isArtifactList)
  // Element type of `list<T>` or value type of `dict<string, T>`, when declared.
  std::shared_ptr<Type> element;

  // The type as written in kfpc: "int", "list<string>", "Dataset".
  std::string ToString() const;
};

// A compile-time constant. Lists keep order; maps are sorted by key.
struct Constant {
  using List = std::vector<Constant>;
  using Map = std::map<std::string, Constant>;
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> value;
};

struct InputDef {
  std::string name;
  Span span;
  Type type;
  bool optional = false;
  std::optional<Constant> default_value;  // an int default of a float input is already a double
  std::string description;
};

struct OutputDef {
  std::string name;
  Span span;
  Type type;
  std::string description;
};

// One piece of a command or args element of a container component.
struct CommandPart {
  enum class Kind {
    kText,            // text
    kInputValue,      // {{$.inputs.parameters['name']}}
    kInputPath,       // {{$.inputs.artifacts['name'].path}}
    kInputUri,        // {{$.inputs.artifacts['name'].uri}}
    kInputMetadata,   // {{$.inputs.artifacts['name'].metadata}}
    kOutputPath,      // {{$.outputs.artifacts['name'].path}}
    kOutputUri,       // {{$.outputs.artifacts['name'].uri}}
    kOutputMetadata,  // {{$.outputs.artifacts['name'].metadata}}
    kOutputParameterFile,  // {{$.outputs.parameters['name'].output_file}}
    kExecutorInput,        // {{$}}
    kConcat,               // {"Concat": [items...]}
    kIfPresent,            // {"IfPresent": {"InputName": name, "Then": [...], "Else": [...]}}
  };
  Kind kind = Kind::kText;
  std::string text;  // kText: the text; otherwise the input or output name
  struct Arg;
  std::vector<Arg> items;       // kConcat
  std::vector<Arg> then_items;  // kIfPresent
  std::vector<Arg> else_items;  // kIfPresent; empty means no "Else"
  bool has_else = false;
};

// One element of `command` or `args`: its parts are joined into one string, except that a kConcat
// or kIfPresent part is always the element's only part.
struct CommandPart::Arg {
  std::vector<CommandPart> parts;
  Span span;
};
using CommandArg = CommandPart::Arg;

struct PythonFunction {
  std::string function_name;
  std::string source;  // the function's source as written in the `python` raw string
  Span source_span;
  std::vector<std::string> packages;
  std::vector<std::string> pip_index_urls;
  std::vector<std::string> pip_trusted_hosts;
  bool use_venv = false;
  // The import statements for the declared artifact classes that the signature names, in the
  // order of the signature, such as `from aiplatform import VertexModel` (as the SDK writes them).
  std::vector<std::string> artifact_imports;
};

struct Pipeline;

// The settings of an importer (`importer(uri = ..., artifact_type = T, ...)`). The component has
// one input, `uri` (a string), and one output, `artifact`, of type T; the task's `uri` argument
// is a constant or a pipeline input.
struct ImporterSettings {
  bool reimport = false;
  std::optional<Constant> metadata;  // a map, written into the importer executor as is
};

// An index that finds an entry of a vector by its `name` member. A vector of up to 8 entries is
// scanned. A longer one is indexed at the first lookup, so that checking the references to a
// component with thousands of inputs takes linear time. The index is rebuilt when the vector's
// buffer or size has changed since it was built, and a copy starts without one.
template <typename T>
class NameIndex {
 public:
  NameIndex() = default;
  NameIndex(const NameIndex&) {}
  NameIndex& operator=(const NameIndex&) {
    Reset();
    return *this;
  }

  const T* Find(const std::vector<T>& entries, const std::string& name) const {
    constexpr size_t kScanned = 8;
    if (entries.size() <= kScanned) {
      for (const T& entry : entries) {
        if (entry.name == name) return &entry;
      }
      return nullptr;
    }
    if (built_for_ != entries.data() || built_size_ != entries.size()) {
      Reset();
      for (size_t i = 0; i < entries.size(); ++i) positions_.try_emplace(entries[i].name, i);
      built_for_ = entries.data();
      built_size_ = entries.size();
    }
    auto it = positions_.find(name);
    if (it == positions_.end() || entries[it->second].name != name) return nullptr;
    return &entries[it->second];
  }

 private:
  void Reset() const {
    positions_.clear();
    built_for_ = nullptr;
    built_size_ = 0;
  }

  mutable std::unordered_map<std::string, size_t> positions_;  // name -> first index
  mutable const T* built_for_ = nullptr;
  mutable size_t built_size_ = 0;
};

struct Component {
  enum class Kind { kContainer, kPython, kPipeline, kImporter };
  Kind kind = Kind::kContainer;
  std::string name;  // as declared, e.g. "train_model"
  // `name = "Train model"`: the name that the IR's component and task names derive from.
  std::optional<std::string> ir_name;
  Span span;
  Span name_span;
  std::string description;
  std::vector<InputDef> inputs;
  std::vector<OutputDef> outputs;

  // kContainer and kPython
  std::string image;
  Span image_span;
  std::vector<CommandArg> command;
  std::vector<CommandArg> args;
  // kPython
  std::optional<PythonFunction> python;
  // kPipeline: the pipeline called as a component
  const Pipeline* pipeline = nullptr;
  // kImporter
  std::optional<ImporterSettings> importer;

  const InputDef* FindInput(const std::string& name) const;
  const OutputDef* FindOutput(const std::string& name) const;

 private:
  NameIndex<InputDef> input_index_;
  NameIndex<OutputDef> output_index_;
};

struct Task;
struct Group;

// Where a task argument or a pipeline output gets its value.
struct ValueRef {
  enum class Kind {
    kConstant,         // constant
    kPipelineInput,    // name: an input of the enclosing pipeline
    kTaskOutput,       // task, name: an output of another task
    kLoopItem,         // loop: the item of an enclosing loop; field: optional `item.field` path
    kRunPlaceholder,   // name: "job_name", "task_name", ... lowered to {{$.pipeline_job_name}} ...
    kCollected,        // value: a task output or loop item inside `loop`, collected outside it
    kOneOf,            // alternatives: one per branch of an if/else chain
    kTaskFinalStatus,  // the final status of the enclosing exit handler's body
    kInterpolation,    // alternatives: a string's pieces in order, constant text and the values
                       // written as `{...}` (pipeline inputs, task outputs, loop items, run
                       // placeholders), all parameters
    kStructure,        // constant: a list or dict whose strings at leaf_paths are read when the
                       // task runs; alternatives: those strings, each a kInterpolation
  };
  // One step into a list (`index`) or a dict (`key`) of a constant.
  struct PathStep {
    bool is_key = false;
    size_t index = 0;
    std::string key;
  };
  Kind kind = Kind::kConstant;
  Span span;
  Type type;
  Constant constant;
  std::string name;
  const Task* task = nullptr;
  const Group* loop = nullptr;
  std::string field;  // kLoopItem: "a" for `item.a`
  // kCollected (one), kOneOf (several), kInterpolation (the pieces), kStructure (the leaves)
  std::vector<ValueRef> alternatives;
  std::vector<std::vector<PathStep>> leaf_paths;  // kStructure: where each alternative goes
};

struct Argument {
  std::string input_name;
  Span span;
  ValueRef value;
};

struct Retry {
  int64_t max_retry_count = 0;
  std::string backoff_duration = "0s";  // protobuf Duration text, "30s"
  double backoff_factor = 2.0;
  std::string backoff_max_duration = "3600s";
};

// The Kubernetes settings of a task: kfp-kubernetes's KubernetesExecutorConfig. Repeated
// settings keep the order written, as the SDK's calls append in call order. A name that the
// backend resolves at run time (a Secret, a ConfigMap, a PVC) is a value reference: a constant,
// a pipeline input, a task output or a loop item.
struct KubernetesSettings {
  // A Secret or ConfigMap whose keys become environment variables (`secret_env`,
  // `config_map_env`); `keys` maps a key to a variable, in the order written.
  struct EnvSource {
    ValueRef name;
    std::vector<std::pair<std::string, std::string>> keys;
    bool optional = false;
  };
  // A Secret or ConfigMap mounted as a volume (`secret_volume`, `config_map_volume`).
  struct VolumeSource {
    ValueRef name;
    std::string mount_path;
    bool optional = false;
  };
  struct PvcMount {
    ValueRef pvc;
    std::string mount_path;
    std::string sub_path;
  };
  // Empty strings and an absent `seconds` are fields not written.
  struct Toleration {
    std::string key, op, value, effect;
    std::optional<int64_t> seconds;
  };
  struct SelectorRequirement {
    std::string key, op;
    std::vector<std::string> values;
  };
  struct NodeAffinity {
    std::vector<SelectorRequirement> match_expressions, match_fields;
    std::optional<int64_t> weight;  // preferred rather than required when set
  };
  struct EmptyDirMount {
    std::string volume_name, mount_path;
    std::optional<std::string> medium, size_limit;
  };
  struct FieldPathEnv {
    std::string name, field_path;
  };
  struct EphemeralVolume {
    std::string volume_name, mount_path, size;
    std::vector<std::string> access_modes;
    std::optional<std::string> storage_class_name;  // nullopt: the cluster's default class
    std::map<std::string, std::string> labels, annotations;
  };
  struct SecurityContext {
    std::optional<int64_t> run_as_user, run_as_group;
    std::optional<bool> run_as_non_root;
  };
  struct InitContainer {
    std::string name, image;
    std::vector<std::string> command, args;
    std::vector<std::pair<std::string, std::string>> env;            // in the order written
    std::vector<std::pair<std::string, std::string>> volume_mounts;  // volume name, mount path
    std::optional<std::string> restart_policy;
    std::map<std::string, std::string> resource_requests, resource_limits;
  };

  std::map<std::string, std::string> node_selector;
  std::optional<ValueRef> node_selector_json;  // a dict value read at run time
  std::vector<Toleration> tolerations;
  std::vector<NodeAffinity> node_affinity;
  std::vector<EnvSource> secret_env, config_map_env;
  std::vector<VolumeSource> secret_volumes, config_map_volumes;
  std::vector<PvcMount> pvc_mounts;
  std::vector<EmptyDirMount> empty_dir_mounts;
  std::vector<EphemeralVolume> ephemeral_volumes;
  std::vector<FieldPathEnv> field_path_env;
  std::vector<ValueRef> image_pull_secrets;
  std::optional<std::string> image_pull_policy;
  std::map<std::string, std::string> pod_labels, pod_annotations;
  std::optional<int64_t> timeout_seconds;  // activeDeadlineSeconds
  std::optional<SecurityContext> security_context;
  std::vector<InitContainer> init_containers;

  // True when the task has no Kubernetes setting, so that its executor has no platform config.
  bool empty() const {
    return node_selector.empty() && !node_selector_json && tolerations.empty() &&
           node_affinity.empty() && secret_env.empty() && config_map_env.empty() &&
           secret_volumes.empty() && config_map_volumes.empty() && pvc_mounts.empty() &&
           empty_dir_mounts.empty() && ephemeral_volumes.empty() && field_path_env.empty() &&
           image_pull_secrets.empty() && !image_pull_policy && pod_labels.empty() &&
           pod_annotations.empty() && !timeout_seconds && !security_context &&
           init_containers.empty();
  }
};

struct Task {
  const Component* component = nullptr;
  std::string binding;  // the name the task is bound to in the pipeline, if any
  Span span;
  std::vector<Argument> arguments;  // in the order written
  // Settings; each is absent unless written.
  std::optional<std::string> display_name;
  std::optional<std::string> cpu_request, cpu_limit, memory_request, memory_limit;
  std::optional<std::string> accelerator_type;
  std::optional<int64_t> accelerator_count;
  // The resource settings above whose value is read when the task runs, by setting name: a
  // pipeline input, a task output or a loop item of type string. Such a setting has no constant.
  std::map<std::string, ValueRef> runtime_resources;
  std::vector<std::pair<std::string, std::string>> env;  // in the order written
  bool enable_cache = true;
  std::optional<Retry> retry;
  bool ignore_upstream_failure = false;
  std::vector<const Task*> after;
  KubernetesSettings kubernetes;  // the platform config of the task's executor
  // `target = "amd64"`: the target profile for this task instead of the pipeline's; the passes
  // resolve the name. `cache_salt` is mixed into the task's cache key.
  std::optional<std::string> target;
  Span target_span;
  std::optional<std::string> cache_salt;
  const Group* parent = nullptr;  // the innermost enclosing group, null at the top level
  // The name of each setting written in the task's block, the first one of a repeated block, so
  // that a later pass can point at the setting that its diagnostic is about.
  std::map<std::string, Span> setting_spans;

  // The span of the setting `name`, or the task's own span when the block does not have it.
  Span SettingSpan(const std::string& name) const {
    auto it = setting_spans.find(name);
    return it == setting_spans.end() ? span : it->second;
  }
};

// A control-flow group: a condition branch, a loop or an exit handler's body.
struct Group {
  enum class Kind { kCondition, kLoop, kExitHandler };
  Kind kind = Kind::kCondition;
  Span span;
  const Group* parent = nullptr;
  // kCondition: the condition as a tree of comparisons; the branch's predecessors in an if/else
  // chain are in `previous_conditions`, in order (lowered as `!(previous) && current`). They are
  // left out in a chain longer than the branch limit, an error that stops before lowering.
  struct Condition;
  std::shared_ptr<Condition> condition;
  std::vector<std::shared_ptr<Condition>> previous_conditions;
  int chain_id = -1;  // branches of one if/else chain share an id; -1 for a plain `if`
  // kLoop
  std::string loop_variable;
  ValueRef iterable;  // a constant list, a pipeline input or a task output
  std::optional<int64_t> parallelism;
  // kExitHandler
  const Task* exit_task = nullptr;
  std::string display_name;  // `try "name"`: the handler task's taskInfo name; empty for the default
  // Members in source order: tasks and nested groups.
  std::vector<std::variant<const Task*, const Group*>> members;
};

struct Group::Condition {
  enum class Kind { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  std::string op;  // "==", "!=", "<", "<=", ">", ">="
  ValueRef left, right;
  // kCompare: the explicit conversion written around `left` or `right` (`int(x)`, `float(x)`,
  // `string(x)`); nullopt when the value is compared as it is.
  std::optional<ParamType> left_conversion, right_conversion;
  std::vector<std::shared_ptr<Condition>> operands;  // kAnd, kOr, kNot
};

struct PipelineOutput {
  std::string name;
  Span span;
  ValueRef value;
};

struct Pipeline {
  std::string name;
  Span span;
  Span name_span;
  std::string description;
  std::optional<std::string> display_name;
  std::optional<std::string> pipeline_root;
  // `name = "..."`: what `pipelineInfo.name` and, when another pipeline calls this one, its task
  // and component names derive from, in place of the declared name.
  std::optional<std::string> ir_name;
  Span ir_name_span;                  // the value of the `name` setting
  std::optional<std::string> target;  // `target = "graviton4"`, resolved by the passes
  Span target_span;
  // `workspace { ... }`: a volume that the run's tasks share, at `run.workspace_path`
  // (PlatformSpec `pipelineConfig.workspace`).
  struct Workspace {
    Span span;
    std::string size;
    std::vector<std::string> access_modes;
    std::optional<std::string> storage_class_name;
  };
  std::optional<Workspace> workspace;
  Span workspace_path_span;  // the first `run.workspace_path` in the pipeline, if any
  std::vector<InputDef> inputs;
  std::vector<OutputDef> outputs;
  std::vector<std::unique_ptr<Task>> tasks;    // every task, in source order
  std::vector<std::unique_ptr<Group>> groups;  // every group, in source order
  // Top-level members in source order.
  std::vector<std::variant<const Task*, const Group*>> members;
  std::vector<PipelineOutput> returns;
  // The component that represents this pipeline when another pipeline calls it.
  const Component* as_component = nullptr;
};

struct Program {
  std::vector<std::unique_ptr<Component>> components;
  std::vector<std::unique_ptr<Pipeline>> pipelines;
  // The pipeline to compile: the one declared in the root file.
  const Pipeline* entry = nullptr;
  // The pipelines of the root file that no other pipeline of it calls, in the order declared,
  // when no entry pipeline was named. When there are several, `entry` is null.
  std::vector<const Pipeline*> roots;
};

// Lowercases `name`, replaces each run of characters outside [-0-9a-z] with one '-', collapses
// repeated '-' and trims '-' at both ends, as kfp.dsl.utils.maybe_rename_for_k8s does. The IR
// names of pipelines, components and tasks derive from it.
std::string SanitizeK8sName(std::string_view name);

}  // namespace kfpc::sema
