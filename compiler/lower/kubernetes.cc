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

// A list of {`first_key`: first, `second_key`: second} messages, in order.
ir::Value Pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                const std::string& first_key, const std::string& second_key) {
  List list;
  for (const auto& [first, second] : pairs) {
    list.push_back(ir::Value::FromStruct({{first_key, Text(first)}, {second_key, Text(second)}}));
  }
  return ir::Value::FromList(std::move(list));
}

// Sets `key` to `value` unless it is an empty list or map, as MessageToDict leaves out empty
// repeated, map and message fields.
void SetNonEmpty(Struct& fields, const std::string& key, ir::Value value) {
  const auto* list = std::get_if<List>(&value.kind);
  const auto* map = std::get_if<Struct>(&value.kind);
  if ((list && list->empty()) || (map && map->empty())) return;
  fields[key] = std::move(value);
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
    SetNonEmpty(fields, "values", Texts(requirement.values));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

ir::Value NodeAffinity(const std::vector<Settings::NodeAffinity>& terms) {
  List list;
  for (const Settings::NodeAffinity& term : terms) {
    Struct fields;
    SetNonEmpty(fields, "matchExpressions", Requirements(term.match_expressions));
    SetNonEmpty(fields, "matchFields", Requirements(term.match_fields));
    // An int32 field is a number in the JSON form.
    if (term.weight) fields["weight"] = ir::Value::Number(static_cast<double>(*term.weight));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

// A PodMetadata message.
ir::Value Metadata(const std::map<std::string, std::string>& labels,
                   const std::map<std::string, std::string>& annotations) {
  Struct fields;
  SetNonEmpty(fields, "labels", TextMap(labels));
  SetNonEmpty(fields, "annotations", TextMap(annotations));
  return ir::Value::FromStruct(std::move(fields));
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
    // kfp-kubernetes sets `defaultStorageClass` exactly when no class is named. An empty name
    // leaves both out, so that the claim has no class.
    if (volume.storage_class_name) {
      if (!volume.storage_class_name->empty()) {
        fields["storageClassName"] = Text(*volume.storage_class_name);
      }
    } else {
      fields["defaultStorageClass"] = ir::Value::Bool(true);
    }
    SetNonEmpty(fields, "metadata", Metadata(volume.labels, volume.annotations));
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

ir::Value SecurityContext(const std::optional<Settings::SecurityContext>& security) {
  Struct fields;
  if (security && security->run_as_user) fields["runAsUser"] = Int64(*security->run_as_user);
  if (security && security->run_as_group) fields["runAsGroup"] = Int64(*security->run_as_group);
  if (security && security->run_as_non_root) {
    fields["runAsNonRoot"] = ir::Value::Bool(*security->run_as_non_root);
  }
  return ir::Value::FromStruct(std::move(fields));
}

ir::Value InitContainers(const std::vector<Settings::InitContainer>& containers) {
  List list;
  for (const Settings::InitContainer& container : containers) {
    Struct fields{{"name", Text(container.name)}, {"image", Text(container.image)}};
    SetNonEmpty(fields, "command", Texts(container.command));
    SetNonEmpty(fields, "args", Texts(container.args));
    SetNonEmpty(fields, "env", Pairs(container.env, "name", "value"));
    SetNonEmpty(fields, "volumeMounts", Pairs(container.volume_mounts, "volumeName", "mountPath"));
    if (container.restart_policy) fields["restartPolicy"] = Text(*container.restart_policy);
    Struct resources;
    SetNonEmpty(resources, "requests", TextMap(container.resource_requests));
    SetNonEmpty(resources, "limits", TextMap(container.resource_limits));
    SetNonEmpty(fields, "resources", ir::Value::FromStruct(std::move(resources)));
    list.push_back(ir::Value::FromStruct(std::move(fields)));
  }
  return ir::Value::FromList(std::move(list));
}

// A name that a task reads at run time, in the forms that the SDK writes.
struct RuntimeName {
  Struct parameter;                     // the InputParameterSpec: `secretNameParameter`, ...
  std::optional<std::string> constant;  // the name when it is known at compile time
};

// Writes the settings that read names at run time, which resolve like task arguments inside
// the DAG `dag`.
class NameWriter {
 public:
  NameWriter(const DagPlan& plan, const void* dag) : plan_(plan), dag_(dag) {}

  RuntimeName Resolve(const sema::ValueRef& value) const {
    static const std::string kInput = "name";
    ir::TaskInputs inputs;
    plan_.ResolveArgument(dag_, kInput, value, false, &inputs);
    const ir::TaskInputParameter& input = inputs.parameters.at(kInput);
    RuntimeName name;
    if (input.runtime_value) {
      name.parameter["runtimeValue"] = ir::Value::FromStruct({{"constant", *input.runtime_value}});
      if (const auto* text = std::get_if<std::string>(&input.runtime_value->kind)) {
        name.constant = *text;
      }
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

  ir::Value NodeSelector(const Settings& settings) const {
    Struct fields;
    SetNonEmpty(fields, "labels", TextMap(settings.node_selector));
    if (settings.node_selector_json) {
      fields["nodeSelectorJson"] =
          ir::Value::FromStruct(Resolve(*settings.node_selector_json).parameter);
    }
    return ir::Value::FromStruct(std::move(fields));
  }

  // Secrets (`kind` "secret") or ConfigMaps ("configMap") read into environment variables.
  ir::Value EnvSources(const std::string& kind,
                       const std::vector<Settings::EnvSource>& sources) const {
    List list;
    for (const Settings::EnvSource& source : sources) {
      Struct fields = NamedSource(kind, source.name, source.optional);
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
                          const std::vector<Settings::VolumeSource>& sources) const {
    List list;
    for (const Settings::VolumeSource& source : sources) {
      Struct fields = NamedSource(kind, source.name, source.optional);
      fields["mountPath"] = Text(source.mount_path);
      list.push_back(ir::Value::FromStruct(std::move(fields)));
    }
    return ir::Value::FromList(std::move(list));
  }

  ir::Value PvcMounts(const std::vector<Settings::PvcMount>& mounts) const {
    List list;
    for (const Settings::PvcMount& mount : mounts) {
      RuntimeName name = Resolve(mount.pvc);
      Struct fields{{"mountPath", Text(mount.mount_path)}};
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

  ir::Value ImagePullSecrets(const std::vector<sema::ValueRef>& secrets) const {
    List list;
    for (const sema::ValueRef& secret : secrets) {
      RuntimeName name = Resolve(secret);
      Struct fields;
      if (name.constant) fields["secretName"] = Text(*name.constant);
      fields["secretNameParameter"] = ir::Value::FromStruct(std::move(name.parameter));
      list.push_back(ir::Value::FromStruct(std::move(fields)));
    }
    return ir::Value::FromList(std::move(list));
  }

 private:
  // The fields that a Secret or ConfigMap setting shares: the deprecated `<kind>Name`, which
  // the SDK still writes for a name known at compile time, and `<kind>NameParameter`.
  Struct NamedSource(const std::string& kind, const sema::ValueRef& value, bool optional) const {
    RuntimeName name = Resolve(value);
    Struct fields;
    if (name.constant) fields[kind + "Name"] = Text(*name.constant);
    fields[kind + "NameParameter"] = ir::Value::FromStruct(std::move(name.parameter));
    fields["optional"] = ir::Value::Bool(optional);
    return fields;
  }

  const DagPlan& plan_;
  const void* dag_;
};

}  // namespace

std::optional<ir::Value> KubernetesConfig(const sema::Task& task, const DagPlan& plan,
                                          const void* dag) {
  const Settings& settings = task.kubernetes;
  NameWriter names(plan, dag);
  Struct config;
  SetNonEmpty(config, "nodeSelector", names.NodeSelector(settings));
  SetNonEmpty(config, "tolerations", Tolerations(settings.tolerations));
  SetNonEmpty(config, "nodeAffinity", NodeAffinity(settings.node_affinity));
  SetNonEmpty(config, "secretAsEnv", names.EnvSources("secret", settings.secret_env));
  SetNonEmpty(config, "configMapAsEnv", names.EnvSources("configMap", settings.config_map_env));
  SetNonEmpty(config, "secretAsVolume", names.VolumeSources("secret", settings.secret_volumes));
  SetNonEmpty(config, "configMapAsVolume",
              names.VolumeSources("configMap", settings.config_map_volumes));
  SetNonEmpty(config, "pvcMount", names.PvcMounts(settings.pvc_mounts));
  SetNonEmpty(config, "emptyDirMounts", EmptyDirMounts(settings.empty_dir_mounts));
  SetNonEmpty(config, "genericEphemeralVolume", EphemeralVolumes(settings.ephemeral_volumes));
  SetNonEmpty(config, "fieldPathAsEnv", FieldPathEnv(settings.field_path_env));
  SetNonEmpty(config, "imagePullSecret", names.ImagePullSecrets(settings.image_pull_secrets));
  if (settings.image_pull_policy) config["imagePullPolicy"] = Text(*settings.image_pull_policy);
  SetNonEmpty(config, "podMetadata", Metadata(settings.pod_labels, settings.pod_annotations));
  if (settings.timeout_seconds) config["activeDeadlineSeconds"] = Int64(*settings.timeout_seconds);
  SetNonEmpty(config, "securityContext", SecurityContext(settings.security_context));
  SetNonEmpty(config, "initContainers", InitContainers(settings.init_containers));
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
