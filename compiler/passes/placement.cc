#include "compiler/passes/placement.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "compiler/passes/platform_config.h"
#include "compiler/passes/project_config.h"

namespace kfpc::passes {

namespace {

std::string TaskName(const TaskNode& node) {
  if (!node.task->binding.empty()) return node.task->binding;
  return node.task->component->name;
}

bool IsNvidia(const std::string& accelerator) {
  std::string lower = accelerator;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("nvidia") != std::string::npos;
}

// The instance types of `profile` that the task's own node selector `labels` allows: the one
// it names, the ones of the family it names, or all of them. Placement keeps such a choice.
std::vector<InstanceType> AllowedInstanceTypes(const TargetProfile& profile,
                                               const ir::Value::Struct* labels,
                                               std::string* selected) {
  const std::string* type = labels ? StringField(*labels, profile.instance_type_label) : nullptr;
  const std::string* family = labels ? StringField(*labels, profile.family_label) : nullptr;
  if (type == nullptr && family == nullptr) return profile.instance_types;
  std::vector<InstanceType> allowed;
  for (const InstanceType& instance : profile.instance_types) {
    bool in_family = family == nullptr || instance.name.rfind(*family + ".", 0) == 0;
    if (in_family && (type == nullptr || instance.name == *type)) allowed.push_back(instance);
  }
  *selected = type != nullptr ? fmt::format("`{}: {}`", profile.instance_type_label, *type)
                              : fmt::format("`{}: {}`", profile.family_label, *family);
  // A type or family outside the profile is CheckNarrowing's to report.
  return allowed.empty() ? profile.instance_types : allowed;
}

// Reports CPU or memory that no instance type of `profile` holds, among those that the task's
// own node selector `labels` allows.
void CheckResources(const TaskNode& node, const TargetProfile& profile,
                    const ir::Value::Struct* labels, diag::DiagnosticSink& sink) {
  if (profile.instance_types.empty()) return;
  std::string selected;
  std::vector<InstanceType> instance_types = AllowedInstanceTypes(profile, labels, &selected);
  if (instance_types.size() == profile.instance_types.size()) selected.clear();
  const sema::Task& task = *node.task;
  // Kubernetes uses the limit as the request when only the limit is set. A request read at run
  // time is unknown here, and the scheduler goes by it, so that resource is not checked.
  std::optional<std::string> cpu = task.cpu_request ? task.cpu_request : task.cpu_limit;
  std::optional<std::string> memory = task.memory_request ? task.memory_request : task.memory_limit;
  if (task.runtime_resources.count("cpu_request")) cpu.reset();
  if (task.runtime_resources.count("memory_request")) memory.reset();
  if (!cpu && !memory) return;
  int64_t millis = cpu ? ParseCpuMillis(*cpu).value_or(0) : 0;
  int64_t mib = memory ? ParseMemoryMib(*memory).value_or(0) : 0;
  const InstanceType* max_cpu_type = &instance_types.front();
  const InstanceType* max_memory_type = max_cpu_type;
  for (const InstanceType& type : instance_types) {
    if (type.vcpus * 1000 >= millis && type.memory_mib >= mib) return;
    if (type.vcpus > max_cpu_type->vcpus) max_cpu_type = &type;
    if (type.memory_mib > max_memory_type->memory_mib) max_memory_type = &type;
  }
  std::string requested;
  if (cpu && memory) {
    requested = fmt::format("{} CPU and {} of memory", *cpu, *memory);
  } else if (cpu) {
    requested = fmt::format("{} CPU", *cpu);
  } else {
    requested = fmt::format("{} of memory", *memory);
  }
  // The request, or the limit that stands for it, of what even the largest type lacks names the
  // setting to change: memory when it alone exceeds, else CPU.
  bool memory_exceeds = mib > max_memory_type->memory_mib;
  bool cpu_exceeds = millis > max_cpu_type->vcpus * 1000;
  std::string setting = cpu && (cpu_exceeds || !memory_exceeds)
                            ? (task.cpu_request ? "cpu_request" : "cpu_limit")
                            : (task.memory_request ? "memory_request" : "memory_limit");
  diag::Diagnostic& d = sink.Report(
      diag::Kind::kResourcesExceedInstance, task.SettingSpan(setting),
      selected.empty()
          ? fmt::format("task `{}` requests {}, which no instance type of target `{}` offers",
                        TaskName(node), requested, profile.name)
          : fmt::format("task `{}` requests {}, more than any instance type that its node "
                        "selector {} allows",
                        TaskName(node), requested, selected));
  d.notes.push_back(fmt::format("the largest are `{}` with {} vCPU{} and `{}` with {} GiB",
                                max_cpu_type->name, max_cpu_type->vcpus,
                                max_cpu_type->vcpus == 1 ? "" : "s", max_memory_type->name,
                                max_memory_type->memory_mib / 1024));
  d.help = selected.empty()
               ? "lower the request, or add a larger instance type to the target in `kfpc.yaml`"
               : "lower the request, or select a larger instance type or family";
}

// Adds `key: value` to the node selector; reports a different value that is already there.
bool SelectLabel(const TaskNode& node, const TargetProfile& profile, ir::Value::Struct& labels,
                 const std::string& key, const std::string& value, diag::Kind kind,
                 diag::DiagnosticSink& sink) {
  const std::string* existing = StringField(labels, key);
  if (existing == nullptr) {
    labels[key] = ir::Value::String(value);
    return true;
  }
  if (*existing == value) return true;
  diag::Diagnostic& d = sink.Report(
      kind, node.task->SettingSpan("node_selector"),
      fmt::format("task `{}` selects nodes with `{}: {}`, but target `{}` needs `{}: {}`",
                  TaskName(node), key, *existing, profile.name, key, value));
  d.help = key == profile.architecture_label
               ? fmt::format("set `target = \"{}\"` on the task to run it on {} nodes, or remove "
                             "the node selector",
                             *existing, *existing)
               : "remove the node selector, or give the task a target that allows it";
  return false;
}

// Reports a user node selector on the family or instance type label outside the profile.
bool CheckNarrowing(const TaskNode& node, const TargetProfile& profile,
                    const ir::Value::Struct& labels, diag::DiagnosticSink& sink) {
  auto report = [&](const std::string& key, const std::string& value, const std::string& allowed) {
    sink.Report(diag::Kind::kPlacementConflict, node.task->SettingSpan("node_selector"),
                fmt::format("task `{}` selects `{}: {}`, which target `{}` does not offer",
                            TaskName(node), key, value, profile.name))
        .help = "select one of " + allowed;
    return false;
  };
  if (const std::string* family = StringField(labels, profile.family_label)) {
    if (!profile.families.empty() &&
        std::find(profile.families.begin(), profile.families.end(), *family) ==
            profile.families.end()) {
      return report(profile.family_label, *family, fmt::format("`{}`", fmt::join(profile.families, "`, `")));
    }
  }
  if (const std::string* type = StringField(labels, profile.instance_type_label)) {
    bool known = profile.instance_types.empty();
    for (const InstanceType& instance : profile.instance_types) known = known || instance.name == *type;
    if (!known) return report(profile.instance_type_label, *type, "the target's instance types");
  }
  return true;
}

// Describes why a required node affinity expression `expression` cannot hold on the nodes of
// `profile`, or returns "" when it can. Only `In` and `NotIn` on the architecture, family and
// instance type labels are judged.
std::string AffinityConflict(const TargetProfile& profile, const ir::Value& expression) {
  const auto* fields = std::get_if<ir::Value::Struct>(&expression.kind);
  if (fields == nullptr) return "";
  const std::string* key = StringField(*fields, "key");
  const std::string* op = StringField(*fields, "operator");
  auto values_field = fields->find("values");
  if (key == nullptr || op == nullptr || values_field == fields->end()) return "";
  const auto* values = std::get_if<ir::Value::List>(&values_field->second.kind);
  if (values == nullptr || (*op != "In" && *op != "NotIn")) return "";

  // Whether a node of the profile can carry `value` for `key`; nullopt when kfpc cannot tell.
  auto possible = [&](const std::string& value) -> std::optional<bool> {
    if (*key == profile.architecture_label) return value == profile.architecture;
    if (*key == profile.family_label && !profile.families.empty()) {
      return std::find(profile.families.begin(), profile.families.end(), value) !=
             profile.families.end();
    }
    if (*key == profile.instance_type_label && !profile.instance_types.empty()) {
      for (const InstanceType& type : profile.instance_types) {
        if (type.name == value) return true;
      }
      return false;
    }
    return std::nullopt;
  };

  std::vector<std::string> written;
  bool any_possible = false, judged = false;
  for (const ir::Value& value : *values) {
    const auto* text = std::get_if<std::string>(&value.kind);
    if (text == nullptr) return "";
    written.push_back(*text);
    std::optional<bool> result = possible(*text);
    if (!result) return "";
    judged = true;
    any_possible = any_possible || *result;
  }
  if (!judged) return "";

  std::string list = fmt::format("{}", fmt::join(written, ", "));
  if (*op == "In" && !any_possible) {
    return fmt::format("`{} In [{}]`, which no node of target `{}` has", *key, list, profile.name);
  }
  // NotIn the architecture excludes every node of a one-architecture target.
  if (*op == "NotIn" && *key == profile.architecture_label &&
      std::find(written.begin(), written.end(), profile.architecture) != written.end()) {
    return fmt::format("`{} NotIn [{}]`, which excludes every node of target `{}`", *key, list,
                       profile.name);
  }
  return "";
}

// Reports a required node affinity of the task whose every term has an expression that no node
// of `profile` satisfies: the terms are alternatives, so the pod could never be scheduled.
bool CheckAffinity(const TaskNode& node, const TargetProfile& profile,
                   const ir::Value::Struct& config, diag::DiagnosticSink& sink) {
  auto affinity = config.find("nodeAffinity");
  if (affinity == config.end()) return true;
  const auto* terms = std::get_if<ir::Value::List>(&affinity->second.kind);
  if (terms == nullptr) return true;
  std::string first_conflict;
  size_t required = 0;
  for (const ir::Value& term : *terms) {
    const auto* fields = std::get_if<ir::Value::Struct>(&term.kind);
    if (fields == nullptr || fields->count("weight") || fields->count("nodeAffinityJson")) continue;
    ++required;
    std::string conflict;
    if (auto expressions = fields->find("matchExpressions"); expressions != fields->end()) {
      if (const auto* list = std::get_if<ir::Value::List>(&expressions->second.kind)) {
        for (const ir::Value& expression : *list) {
          conflict = AffinityConflict(profile, expression);
          if (!conflict.empty()) break;
        }
      }
    }
    if (conflict.empty()) return true;  // this term can hold
    if (first_conflict.empty()) first_conflict = conflict;
  }
  if (required == 0) return true;
  bool architecture = first_conflict.find("`" + profile.architecture_label + " ") == 0;
  diag::Diagnostic& d = sink.Report(
      architecture ? diag::Kind::kArchitectureConflict : diag::Kind::kPlacementConflict,
      node.task->SettingSpan("node_affinity"),
      fmt::format("task `{}` requires the node affinity {}", TaskName(node), first_conflict));
  d.notes.push_back(
      "required node affinity terms are alternatives, and each one here has such "
      "an expression, so the pod could never be scheduled");
  d.help = architecture ? "set `target = \"none\"` or another target on the task, or remove the "
                          "expression"
                        : "remove the expression, or give the task a target that allows it";
  return false;
}

// Requires one of the profile's families: adds `In` to every required node affinity term, or a
// new term when there is none, because terms are alternatives and expressions in a term all hold.
void RequireFamilies(const TargetProfile& profile, ir::Value::Struct& config) {
  ir::Value::List values;
  for (const std::string& family : profile.families) values.push_back(ir::Value::String(family));
  ir::Value expression = ir::Value::FromStruct({{"key", ir::Value::String(profile.family_label)},
                                                {"operator", ir::Value::String("In")},
                                                {"values", ir::Value::FromList(values)}});
  ir::Value::List& terms = ChildList(config, "nodeAffinity");
  bool added = false;
  for (ir::Value& term : terms) {
    auto* fields = std::get_if<ir::Value::Struct>(&term.kind);
    if (fields == nullptr || fields->count("weight") || fields->count("nodeAffinityJson")) continue;
    ChildList(*fields, "matchExpressions").push_back(expression);
    added = true;
  }
  if (!added) {
    terms.push_back(ir::Value::FromStruct(
        {{"matchExpressions", ir::Value::FromList({expression})}}));
  }
}

void AddTolerations(const TargetProfile& profile, ir::Value::Struct& config) {
  ir::Value::List& list = ChildList(config, "tolerations");
  for (const Toleration& toleration : profile.tolerations) {
    ir::Value::Struct fields = {{"key", ir::Value::String(toleration.key)},
                                {"operator", ir::Value::String(toleration.op)}};
    if (!toleration.value.empty()) fields["value"] = ir::Value::String(toleration.value);
    if (!toleration.effect.empty()) fields["effect"] = ir::Value::String(toleration.effect);
    ir::Value value = ir::Value::FromStruct(std::move(fields));
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  }
}

// Places one executor node; returns false after reporting a conflict.
bool PlaceNode(const TaskNode& node, const TargetProfile& profile, ir::Document& document,
               diag::DiagnosticSink& sink) {
  if (node.task->accelerator_type && IsNvidia(*node.task->accelerator_type) && !profile.nvidia_gpus) {
    sink.Report(diag::Kind::kAcceleratorConflict, node.task->SettingSpan("accelerator_type"),
                fmt::format("task `{}` requests accelerator `{}`, but target `{}` has no NVIDIA "
                            "GPUs",
                            TaskName(node), *node.task->accelerator_type, profile.name))
        .help =
        "set `target = \"amd64\"` (or a GPU target from `kfpc.yaml`) on the task to run "
        "it on a GPU pool";
    return false;
  }
  ir::Value::Struct& config = ExecutorConfig(document, node.executor_label);
  const ir::Value::Struct* own_labels = nullptr;
  if (auto selector = config.find("nodeSelector"); selector != config.end()) {
    if (const auto* fields = std::get_if<ir::Value::Struct>(&selector->second.kind)) {
      if (auto labels = fields->find("labels"); labels != fields->end()) {
        own_labels = std::get_if<ir::Value::Struct>(&labels->second.kind);
      }
    }
  }
  CheckResources(node, profile, own_labels, sink);

  ir::Value::Struct& selector = ChildStruct(config, "nodeSelector");
  if (selector.count("nodeSelectorJson")) {
    // The KFP driver (extendPodSpecPatch in backend/src/v2/driver/k8s.go, 2.14 and 2.15) uses
    // the selector read at run time when there is one, and then ignores the fixed labels.
    diag::Diagnostic& d = sink.Report(
        diag::Kind::kPlacementConflict, node.task->SettingSpan("node_selector"),
        fmt::format("task `{}` reads its node selector at run time, so the KFP driver would drop "
                    "the `{}: {}` label that target `{}` adds",
                    TaskName(node), profile.architecture_label, profile.architecture,
                    profile.name));
    d.notes.push_back(
        "when a task's node selector comes from an input, the driver uses that value alone and "
        "ignores the labels in the platform spec");
    d.help = fmt::format(
        "write the node selector as a map of constant labels, or set `target = \"none\"` on the "
        "task and pass the target's labels, such as `{}: {}`, in the value",
        profile.architecture_label, profile.architecture);
    return false;
  }
  ir::Value::Struct& labels = ChildStruct(selector, "labels");
  bool ok = SelectLabel(node, profile, labels, profile.architecture_label, profile.architecture,
                        diag::Kind::kArchitectureConflict, sink);
  for (const auto& [key, value] : profile.node_labels) {
    ok = SelectLabel(node, profile, labels, key, value, diag::Kind::kPlacementConflict, sink) && ok;
  }
  ok = CheckNarrowing(node, profile, labels, sink) && ok;
  ok = CheckAffinity(node, profile, config, sink) && ok;
  if (!ok) return false;
  if (profile.families.size() == 1) {
    SelectLabel(node, profile, labels, profile.family_label, profile.families[0],
                diag::Kind::kPlacementConflict, sink);
  } else if (profile.families.size() > 1 && !labels.count(profile.family_label) &&
             !labels.count(profile.instance_type_label)) {
    RequireFamilies(profile, config);
  }
  if (!profile.tolerations.empty()) AddTolerations(profile, config);
  return true;
}

}  // namespace

void PlaceExecutors(const TaskGraph& graph, const TargetChoice& targets, ir::Document& document,
                    diag::DiagnosticSink& sink) {
  std::set<std::string> placed;
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    const TargetProfile& profile = targets.Of(id);
    if (profile.IsNone() || node.task == nullptr) continue;
    auto executor = document.pipeline.executors.find(node.executor_label);
    if (executor == document.pipeline.executors.end() || !executor->second.container) continue;
    if (!placed.insert(node.executor_label).second) continue;
    PlaceNode(node, profile, document, sink);
  }
}

namespace {

// The task setting that writes the field `field` of an executor's Kubernetes config, or "" for a
// field that only a target's placement writes.
std::string SettingOfPlatformField(const std::string& field) {
  static const std::map<std::string, std::string, std::less<>> kSettings = {
      {"nodeSelector", "node_selector"},          {"tolerations", "toleration"},
      {"nodeAffinity", "node_affinity"},          {"secretAsEnv", "secret_env"},
      {"secretAsVolume", "secret_volume"},        {"configMapAsEnv", "config_map_env"},
      {"configMapAsVolume", "config_map_volume"}, {"pvcMount", "pvc_mount"},
      {"emptyDirMounts", "empty_dir_mount"},      {"genericEphemeralVolume", "ephemeral_volume"},
      {"fieldPathAsEnv", "field_path_env"},       {"imagePullSecret", "image_pull_secrets"},
      {"imagePullPolicy", "image_pull_policy"},   {"podMetadata", "pod_labels"},
      {"activeDeadlineSeconds", "timeout"},       {"securityContext", "security_context"},
      {"initContainers", "init_container"},
  };
  auto it = kSettings.find(field);
  return it == kSettings.end() ? "" : it->second;
}

}  // namespace

void CheckPlatformFields(const TaskGraph& graph, const KfpVersion& backend, diag::Severity severity,
                         const ir::Document& document, diag::DiagnosticSink& sink) {
  std::set<std::string> reported;
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    auto config = document.platform.executors.find(node.executor_label);
    if (node.task == nullptr || config == document.platform.executors.end()) continue;
    const auto* fields = std::get_if<ir::Value::Struct>(&config->second.kind);
    if (fields == nullptr || !reported.insert(node.executor_label).second) continue;
    for (const auto& [field, value] : *fields) {
      std::optional<KfpVersion> first = FirstVersionReading(field);
      if (first && *first <= backend) continue;
      std::string setting = SettingOfPlatformField(field);
      if (field == "podMetadata" && !node.task->setting_spans.count(setting)) {
        setting = "pod_annotations";
      }
      diag::Diagnostic& d = sink.Report(
          diag::Kind::kUnsupportedByKfpBackend, severity, node.task->SettingSpan(setting),
          fmt::format("task `{}` needs the Kubernetes field `{}`, which KFP backend {} cannot read",
                      TaskName(node), field, backend.ToString()));
      d.notes.push_back("the KFP API server drops the whole Kubernetes platform spec, with every "
                        "node selector, when it finds a field it does not know");
      if (severity == diag::Severity::kWarning) {
        d.notes.push_back(fmt::format(
            "KFP {} is the default backend; `--kfp-version` or a target other than `none` makes "
            "this an error",
            backend.ToString()));
      }
      d.help = first
                   ? fmt::format("build with `--kfp-version {}.0` or later if the cluster runs it",
                                 first->ToString())
                   : "remove the setting; no released KFP backend reads it";
      // The target's placement wrote the affinity when the task sets none of its own.
      if (field == "nodeAffinity" && node.task->kubernetes.node_affinity.empty()) {
        d.notes.push_back(
            "the task's target allows several instance families, which kfpc "
            "places with a node affinity");
        d.help +=
            ", or give the target one family in a `kfpc.yaml` profile (`families: [c8g]`), "
            "which kfpc places with a node selector";
      }
    }
  }
}

}  // namespace kfpc::passes
