#include "compiler/lower/kubernetes.h"

#include <string>
#include <utility>

#include "compiler/lower/dag_plan.h"

namespace kfpc::lower {

namespace {

using Settings = sema::KubernetesSettings;
using Struct = ir::Value::Struct;
using List = ir::Value::List;

ir::Value Text(const std::string& text) { return ir::Value::String(text); }

// Proto JSON writes int64 fields as strings, and the SDK keeps them so in the PlatformSpec.
ir::Value Int64(int64_t number) { return ir::Value::String(std::to_string(number)); }

ir::Value Texts(const std::vector<std::string>& texts) {
  List list;
  for (const std::string& text : texts) list.push_back(Text(text));
  return ir::Value::FromList(std::move(list));
}

ir::Value TextMap(const std::map<std::string, std::string>& map) {
  Struct fields;
  for (const auto& [key, value] : map) fields[key] = Text(value);
  return ir::Value::FromStruct(std::move(fields));
}

// Sets `key` to a list or map of `items` unless it is empty, as MessageToDict leaves out empty
// repeated and map fields.
template <typename Items, typename Convert>
void SetNonEmpty(Struct& fields, const std::string& key, const Items& items, Convert convert) {
  if (!items.empty()) fields[key] = convert(items);
}

// How a task reads a name at run time, as the SDK writes it in each setting.
struct RuntimeName {
  Struct parameter;                     // the InputParameterSpec: `secretNameParameter`, ...
  std::optional<std::string> constant;  // the name when it is known at compile time
};

RuntimeName ResolveName(const sema::ValueRef& value, const DagPlan& plan, const void* dag) {
  static const std::string kInput = "name";
  ir::TaskInputs inputs;
  plan.ResolveArgument(dag, kInput, value, false, &inputs);
  const ir::TaskInputParameter& input = inputs.parameters.at(kInput);
  RuntimeName name;
  if (input.runtime_value) {
    name.parameter["runtimeValue"] = ir::Value::FromStruct({{"constant", *input.runtime_value}});
    if (const auto* text = std::get_if<std::string>(&input.runtime_value->kind)) name.constant = *text;
  }
  if (input.component_input_parameter) {
    name.parameter["componentInputParameter"] = Text(*input.component_input_parameter);
  }
  if (input.task_output_parameter) {
    name.parameter["taskOutputParameter"] = ir::Value::FromStruct(
        {{"outputParameterKey", Text(input.task_output_parameter->output_parameter_key)},
         {"producerTask", Text(input.task_output_parameter->producer_task)}});
  }
  if (!input.parameter_expression_selector.empty()) {
    name.parameter["parameterExpressionSelector"] = Text(input.parameter_expression_selector);
  }
  return name;
}

// The fields that a Secret or ConfigMap setting shares: the deprecated `<kind>Name`, which the
// SDK still writes for a name known at compile time, and `<kind>NameParameter`.
Struct NamedSource(const std::string& kind, const sema::ValueRef& value, bool optional,
                   const DagPlan& plan, const void* dag) {
  RuntimeName name = ResolveName(value, plan, dag);
  Struct fields;
  if (name.constant) fields[kind + "Name"] = Text(*name.constant);
  fields[kind + "NameParameter"] = ir::Value::FromStruct(name.parameter);
  fields["optional"] = ir::Value::Bool(optional);
  return fields;
}

ir::Value EnvSources(const std::string& kind, const std::vector<Settings::EnvSource>& sources,
                     const DagPlan& plan, const void* dag) {
  List list;
  for (const Settings::EnvSource& source : sources) {
    Struct fields = NamedSource(kind, source.name, source.optional, plan, dag);
    List key_to_env;
    for (const auto& [key, variable] : source.keys) {
      key_to_env.push_back(
          ir::Value::FromStruct({{kind + "Key", Text(key)}, {"envVar", Text(variable)}}));
    }
    fields["keyToEnv"] = ir::Value::FromList(std::move(key_to_env));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value VolumeSources(const std::string& kind,
                        const std::vector<Settings::VolumeSource>& sources, const DagPlan& plan,
                        const void* dag) {
  List list;
  for (const Settings::VolumeSource& source : sources) {
    Struct fields = NamedSource(kind, source.name, source.optional, plan, dag);
    fields["mountPath"] = Text(source.mount_path);
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value PvcMounts(const std::vector<Settings::PvcMount>& mounts, const DagPlan& plan,
                    const void* dag) {
  List list;
  for (const Settings::PvcMount& mount : mounts) {
    RuntimeName name = ResolveName(mount.pvc, plan, dag);
    Struct fields;
    fields["mountPath"] = Text(mount.mount_path);
    if (!mount.sub_path.empty()) fields["subPath"] = Text(mount.sub_path);
    // The deprecated `pvc_reference` oneof: the constant itself, or the parameter's source.
    if (name.constant) {
      fields["constant"] = Text(*name.constant);
    } else {
      for (const char* key : {"componentInputParameter", "taskOutputParameter"}) {
        if (name.parameter.count(key)) fields[key] = name.parameter.at(key);
      }
    }
    fields["pvcNameParameter"] = ir::Value::FromStruct(std::move(name.parameter));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value Tolerations(const std::vector<Settings::Toleration>& tolerations) {
  List list;
  for (const Settings::Toleration& toleration : tolerations) {
    Struct fields;
    if (!toleration.key.empty()) fields["key"] = Text(toleration.key);
    if (!toleration.op.empty()) fields["operator"] = Text(toleration.op);
    if (!toleration.value.empty()) fields["value"] = Text(toleration.value);
    if (!toleration.effect.empty()) fields["effect"] = Text(toleration.effect);
    if (toleration.seconds) fields["tolerationSeconds"] = Int64(*toleration.seconds);
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value Requirements(const std::vector<Settings::SelectorRequirement>& requirements) {
  List list;
  for (const Settings::SelectorRequirement& requirement : requirements) {
    Struct fields{{"key", Text(requirement.key)}, {"operator", Text(requirement.op)}};
    SetNonEmpty(fields, "values", requirement.values, Texts);
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value NodeAffinity(const std::vector<Settings::NodeAffinity>& terms) {
  List list;
  for (const Settings::NodeAffinity& term : terms) {
    Struct fields;
    SetNonEmpty(fields, "matchExpressions", term.match_expressions, Requirements);
    SetNonEmpty(fields, "matchFields", term.match_fields, Requirements);
    // An int32 field is a number in the JSON form.
    if (term.weight) fields["weight"] = ir::Value::Number(static_cast<double>(*term.weight));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

// A PodMetadata message, or an empty Struct when it has neither labels nor annotations.
Struct Metadata(const std::map<std::string, std::string>& labels,
                const std::map<std::string, std::string>& annotations) {
  Struct fields;
  SetNonEmpty(fields, "labels", labels, TextMap);
  SetNonEmpty(fields, "annotations", annotations, TextMap);
  return fields;
}

ir::Value EmptyDirMounts(const std::vector<Settings::EmptyDirMount>& mounts) {
  List list;
  for (const Settings::EmptyDirMount& mount : mounts) {
    Struct fields{{"volumeName", Text(mount.volume_name)}, {"mountPath", Text(mount.mount_path)}};
    if (mount.medium) fields["medium"] = Text(*mount.medium);
    if (mount.size_limit) fields["sizeLimit"] = Text(*mount.size_limit);
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value EphemeralVolumes(const std::vector<Settings::EphemeralVolume>& volumes) {
  List list;
  for (const Settings::EphemeralVolume& volume : volumes) {
    Struct fields{{"volumeName", Text(volume.volume_name)},
                  {"mountPath", Text(volume.mount_path)},
                  {"accessModes", Texts(volume.access_modes)},
                  {"size", Text(volume.size)}};
    // kfp-kubernetes sets `defaultStorageClass` exactly when no class is named.
    if (volume.storage_class_name) {
      fields["storageClassName"] = Text(*volume.storage_class_name);
    } else {
      fields["defaultStorageClass"] = ir::Value::Bool(true);
    }
    Struct metadata = Metadata(volume.labels, volume.annotations);
    if (!metadata.empty()) fields["metadata"] = ir::Value::FromStruct(std::move(metadata));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value FieldPathEnv(const std::vector<Settings::FieldPathEnv>& variables) {
  List list;
  for (const Settings::FieldPathEnv& variable : variables) {
    list.push_back(ir::Value::FromStruct(
        {{"name", Text(variable.name)}, {"fieldPath", Text(variable.field_path)}}));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value ImagePullSecrets(const std::vector<sema::ValueRef>& secrets, const DagPlan& plan,
                           const void* dag) {
  List list;
  for (const sema::ValueRef& secret : secrets) {
    RuntimeName name = ResolveName(secret, plan, dag);
    Struct fields;
    if (name.constant) fields["secretName"] = Text(*name.constant);
    fields["secretNameParameter"] = ir::Value::FromStruct(std::move(name.parameter));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value SecurityContext(const Settings::SecurityContext& security) {
  Struct fields;
  if (security.run_as_user) fields["runAsUser"] = Int64(*security.run_as_user);
  if (security.run_as_group) fields["runAsGroup"] = Int64(*security.run_as_group);
  if (security.run_as_non_root) fields["runAsNonRoot"] = ir::Value::Bool(*security.run_as_non_root);
  return ir::Value::FromStruct(std::move(fields));
}

// A list of {`first_key`: first, `second_key`: second} messages, in order.
ir::Value Pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                const std::string& first_key, const std::string& second_key) {
  List list;
  for (const auto& [first, second] : pairs) {
    list.push_back(ir::Value::FromStruct({{first_key, Text(first)}, {second_key, Text(second)}}));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value InitContainers(const std::vector<Settings::InitContainer>& containers) {
  List list;
  for (const Settings::InitContainer& container : containers) {
    Struct fields{{"name", Text(container.name)}, {"image", Text(container.image)}};
    SetNonEmpty(fields, "command", container.command, Texts);
    SetNonEmpty(fields, "args", container.args, Texts);
    if (!container.env.empty()) fields["env"] = Pairs(container.env, "name", "value");
    if (!container.volume_mounts.empty()) {
      fields["volumeMounts"] = Pairs(container.volume_mounts, "volumeName", "mountPath");
    }
    if (container.restart_policy) fields["restartPolicy"] = Text(*container.restart_policy);
    Struct resources;
    SetNonEmpty(resources, "requests", container.resource_requests, TextMap);
    SetNonEmpty(resources, "limits", container.resource_limits, TextMap);
    if (!resources.empty()) fields["resources"] = ir::Value::FromStruct(std::move(resources));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

}  // namespace

std::optional<ir::Value> KubernetesConfig(const sema::Task& task, const DagPlan& plan,
                                          const void* dag) {
  const Settings& settings = task.kubernetes;
  auto with_plan = [&](auto convert) {
    return [&, convert](const auto& items) { return convert(items, plan, dag); };
  };
  Struct config;
  Struct node_selector;
  SetNonEmpty(node_selector, "labels", settings.node_selector, TextMap);
  if (settings.node_selector_json) {
    node_selector["nodeSelectorJson"] =
        ir::Value::FromStruct(ResolveName(*settings.node_selector_json, plan, dag).parameter);
  }
  if (!node_selector.empty()) config["nodeSelector"] = ir::Value::FromStruct(node_selector);
  SetNonEmpty(config, "tolerations", settings.tolerations, Tolerations);
  SetNonEmpty(config, "nodeAffinity", settings.node_affinity, NodeAffinity);
  SetNonEmpty(config, "secretAsEnv", settings.secret_env, [&](const auto& items) {
    return EnvSources("secret", items, plan, dag);
  });
  SetNonEmpty(config, "configMapAsEnv", settings.config_map_env, [&](const auto& items) {
    return EnvSources("configMap", items, plan, dag);
  });
  SetNonEmpty(config, "secretAsVolume", settings.secret_volumes, [&](const auto& items) {
    return VolumeSources("secret", items, plan, dag);
  });
  SetNonEmpty(config, "configMapAsVolume", settings.config_map_volumes, [&](const auto& items) {
    return VolumeSources("configMap", items, plan, dag);
  });
  SetNonEmpty(config, "pvcMount", settings.pvc_mounts, with_plan(PvcMounts));
  SetNonEmpty(config, "emptyDirMounts", settings.empty_dir_mounts, EmptyDirMounts);
  SetNonEmpty(config, "genericEphemeralVolume", settings.ephemeral_volumes, EphemeralVolumes);
  SetNonEmpty(config, "fieldPathAsEnv", settings.field_path_env, FieldPathEnv);
  SetNonEmpty(config, "imagePullSecret", settings.image_pull_secrets, with_plan(ImagePullSecrets));
  if (settings.image_pull_policy) config["imagePullPolicy"] = Text(*settings.image_pull_policy);
  Struct metadata = Metadata(settings.pod_labels, settings.pod_annotations);
  if (!metadata.empty()) config["podMetadata"] = ir::Value::FromStruct(std::move(metadata));
  if (settings.timeout_seconds) config["activeDeadlineSeconds"] = Int64(*settings.timeout_seconds);
  if (settings.security_context) config["securityContext"] = SecurityContext(*settings.security_context);
  SetNonEmpty(config, "initContainers", settings.init_containers, InitContainers);
  if (config.empty()) return std::nullopt;
  return ir::Value::FromStruct(std::move(config));
}

std::vector<const sema::ValueRef*> KubernetesReferences(const sema::KubernetesSettings& settings) {
  std::vector<const sema::ValueRef*> references;
  if (settings.node_selector_json) references.push_back(&*settings.node_selector_json);
  for (const auto* sources : {&settings.secret_env, &settings.config_map_env}) {
    for (const Settings::EnvSource& source : *sources) references.push_back(&source.name);
  }
  for (const auto* sources : {&settings.secret_volumes, &settings.config_map_volumes}) {
    for (const Settings::VolumeSource& source : *sources) references.push_back(&source.name);
  }
  for (const Settings::PvcMount& mount : settings.pvc_mounts) references.push_back(&mount.pvc);
  for (const sema::ValueRef& secret : settings.image_pull_secrets) references.push_back(&secret);
  return references;
}

}  // namespace kfpc::lower
