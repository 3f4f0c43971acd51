// The Kubernetes settings that give a task's container data: Secrets and ConfigMaps as
// environment variables or volumes, PVCs, emptyDir and generic ephemeral volumes, pod fields as
// environment variables, and init containers.

#include <algorithm>

#include "compiler/check/kubernetes_checker.h"
#include "compiler/check/types.h"

namespace kfpc::check::k8s {

namespace {

// The pod fields that an environment variable may read (EnvVarSource.fieldRef).
const std::vector<std::string> kFieldPaths = {
    "metadata.name",         "metadata.namespace", "metadata.uid",
    "metadata.labels['KEY']", "metadata.annotations['KEY']", "spec.nodeName",
    "spec.serviceAccountName", "status.hostIP",     "status.hostIPs",
    "status.podIP",          "status.podIPs"};

}  // namespace

std::optional<std::string> Checker::MountPath(const ast::Setting& field) {
  std::optional<std::string> path = StringSetting(context_, field);
  if (!path) return std::nullopt;
  if (path->empty()) {
    context_.Report(diag::Kind::kInvalidKubernetesValue, field.value->span, "empty mount path")
        .help = "write the path in the container, such as `mount_path = \"/data\"`";
    return std::nullopt;
  }
  auto [first, inserted] = mount_paths_.emplace(*path, field.value->span);
  if (!inserted) {
    diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidKubernetesValue, field.value->span,
                                          "mount path `" + *path + "` is used twice");
    d.labels.push_back({first->second, "first used here"});
    d.help = "mount each volume at its own path, because Kubernetes rejects a pod that mounts "
             "two volumes at one path";
    return std::nullopt;
  }
  return path;
}

bool Checker::NewVolumeName(const std::string& name, diag::Span span, const std::string& help) {
  auto [first, inserted] = volume_names_.emplace(name, span);
  if (inserted) return true;
  diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidKubernetesValue, span,
                                        "volume name `" + name + "` is used twice");
  d.labels.push_back({first->second, "first used here"});
  d.help = help.empty() ? "give each volume of the task its own name" : help;
  return false;
}

bool Checker::ObjectVolumeName(const sema::ValueRef& object, const std::string& noun) {
  // The driver (backend/src/v2/driver/k8s.go, 2.14 and 2.15) names the volume of a mounted
  // Secret, ConfigMap or PVC after the object. A name known only at run time is not checked.
  using Kind = sema::ValueRef::Kind;
  const auto* name = std::get_if<std::string>(&object.constant.value);
  if (object.kind == Kind::kPipelineInput || object.kind == Kind::kTaskOutput) {
    // The same input or output names the same object at run time, so a second mount of it
    // would give the pod two volumes of one name. Such keys cannot clash with a constant name.
    std::string written = object.kind == Kind::kTaskOutput && object.task != nullptr
                              ? object.task->binding + "." + object.name
                              : object.name;
    auto [first, inserted] = runtime_objects_.emplace(
        (object.kind == Kind::kTaskOutput ? "output " : "input ") + written, object.span);
    if (inserted) return true;
    diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidKubernetesValue, object.span,
                                          "the " + noun + " `" + written + "` is mounted twice");
    d.labels.push_back({first->second, "first mounted here"});
    d.help = "the KFP driver names the volume after the " + noun +
             ", so mount it once and use the paths inside it";
    return false;
  }
  if (object.kind != Kind::kConstant || name == nullptr) return true;
  if (!Follows(Rule::kDnsLabel, *name)) {
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kInvalidKubernetesName, object.span,
        noun + " `" + *name + "` cannot be mounted: its name is not a valid volume name");
    d.notes.push_back("the KFP driver names the volume after the " + noun +
                      ", and a volume name has only lowercase letters, digits and `-`, at most "
                      "63 characters");
    d.help = "use a " + noun + " whose name is a valid volume name" +
             (noun == "PVC" ? std::string() : ", or read its keys as environment variables");
    return false;
  }
  return NewVolumeName(*name, object.span,
                       "the KFP driver names the volume after the " + noun +
                           ", so a task can mount each Secret, ConfigMap and PVC once, and no "
                           "other volume may have its name; mount it once and use the paths "
                           "inside it");
}

// A kind of object whose data a task reads: a Secret or a ConfigMap.
struct Checker::ObjectKind {
  std::string field;    // the field that names the object: `secret`, `config_map`
  std::string noun;     // "Secret", "ConfigMap"
  std::string example;       // a name for the examples in help lines
  std::string example_keys;  // a `keys` map for the examples
};

namespace {

const Checker::ObjectKind kSecret{"secret", "Secret", "db-credentials",
                                  "{\"password\": \"DB_PASSWORD\"}"};
const Checker::ObjectKind kConfigMap{"config_map", "ConfigMap", "app-settings",
                                     "{\"log_level\": \"LOG_LEVEL\"}"};

}  // namespace

void Checker::SecretEnv(const ast::Setting& setting) {
  EnvSource(setting, kSecret, out_.secret_env);
}

void Checker::ConfigMapEnv(const ast::Setting& setting) {
  EnvSource(setting, kConfigMap, out_.config_map_env);
}

void Checker::SecretVolume(const ast::Setting& setting) {
  VolumeSource(setting, kSecret, out_.secret_volumes);
}

void Checker::ConfigMapVolume(const ast::Setting& setting) {
  VolumeSource(setting, kConfigMap, out_.config_map_volumes);
}

void Checker::EnvSource(const ast::Setting& setting, const ObjectKind& kind,
                        std::vector<Settings::EnvSource>& out) {
  std::string example = setting.name + " { " + kind.field + " = \"" + kind.example +
                        "\"  keys = " + kind.example_keys + " }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields(setting.name), example);
  if (!fields) return;
  bool ok = Require(context_, *fields, setting, kind.field, "write `" + example + "`");
  ok = Require(context_, *fields, setting, "keys", "write `" + example + "`") && ok;
  if (!ok) return;
  std::optional<sema::ValueRef> ref;
  if (const ast::Expr* value = AssignedValue(context_, *fields->at(kind.field))) {
    ref = RuntimeName(*value, Rule::kDnsSubdomain, kind.noun + " name");
  }
  auto keys = StringMapSetting(context_, *fields->at("keys"), Rule::kDataKey, kind.noun + " key",
                               Rule::kEnvName, "environment variable name");
  std::optional<bool> optional = false;
  if (fields->count("optional")) optional = BoolSetting(context_, *fields->at("optional"));
  if (!ref || !keys || !optional) return;
  if (keys->empty()) {
    context_.Report(diag::Kind::kInvalidKubernetesValue, fields->at("keys")->value->span,
                    "`keys` of `" + setting.name + "` is empty")
        .help = "map each key of the " + kind.noun + " to a variable, such as `keys = " +
                kind.example_keys + "`";
    return;
  }
  Settings::EnvSource source;
  source.name = std::move(*ref);
  for (const MapEntry& entry : *keys) source.keys.emplace_back(entry.key, entry.value);
  source.optional = *optional;
  out.push_back(std::move(source));
}

void Checker::VolumeSource(const ast::Setting& setting, const ObjectKind& kind,
                           std::vector<Settings::VolumeSource>& out) {
  std::string example = setting.name + " { " + kind.field + " = \"" + kind.example +
                        "\"  mount_path = \"/etc/" + kind.example + "\" }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields(setting.name), example);
  if (!fields) return;
  bool ok = Require(context_, *fields, setting, kind.field, "write `" + example + "`");
  ok = Require(context_, *fields, setting, "mount_path", "write `" + example + "`") && ok;
  if (!ok) return;
  std::optional<sema::ValueRef> ref;
  if (const ast::Expr* value = AssignedValue(context_, *fields->at(kind.field))) {
    ref = RuntimeName(*value, Rule::kDnsSubdomain, kind.noun + " name");
  }
  std::optional<std::string> path = MountPath(*fields->at("mount_path"));
  std::optional<bool> optional = false;
  if (fields->count("optional")) optional = BoolSetting(context_, *fields->at("optional"));
  if (!ref || !path || !optional || !ObjectVolumeName(*ref, kind.noun)) return;
  out.push_back(Settings::VolumeSource{std::move(*ref), *path, *optional});
}

void Checker::PvcMount(const ast::Setting& setting) {
  const std::string example = "pvc_mount { pvc = volume.name  mount_path = \"/data\" }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("pvc_mount"), example);
  if (!fields) return;
  bool ok = Require(context_, *fields, setting, "pvc", "write `" + example + "`");
  ok = Require(context_, *fields, setting, "mount_path", "write `" + example + "`") && ok;
  if (!ok) return;
  std::optional<sema::ValueRef> ref;
  if (const ast::Expr* value = AssignedValue(context_, *fields->at("pvc"))) {
    ref = RuntimeName(*value, Rule::kDnsSubdomain, "PVC name");
  }
  std::optional<std::string> path = MountPath(*fields->at("mount_path"));
  std::optional<std::string> sub_path = "";
  if (fields->count("sub_path")) sub_path = StringSetting(context_, *fields->at("sub_path"));
  if (!ref || !path || !sub_path || !ObjectVolumeName(*ref, "PVC")) return;
  out_.pvc_mounts.push_back(Settings::PvcMount{std::move(*ref), *path, *sub_path});
}

void Checker::EmptyDirMount(const ast::Setting& setting) {
  const std::string example =
      "empty_dir_mount { volume_name = \"scratch\"  mount_path = \"/scratch\" }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("empty_dir_mount"), example);
  if (!fields) return;
  bool ok = Require(context_, *fields, setting, "volume_name", "write `" + example + "`");
  ok = Require(context_, *fields, setting, "mount_path", "write `" + example + "`") && ok;
  if (!ok) return;

  Settings::EmptyDirMount mount;
  const ast::Setting& name = *fields->at("volume_name");
  std::optional<std::string> volume = RuleSetting(context_, name, Rule::kDnsLabel, "volume name");
  std::optional<std::string> path = MountPath(*fields->at("mount_path"));
  ok = volume && path && NewVolumeName(*volume, name.value->span);

  if (fields->count("medium")) {
    // HugePages of one page size are written `HugePages-2Mi`.
    std::optional<std::string> medium = StringSetting(context_, *fields->at("medium"));
    if (medium && medium->rfind("HugePages-", 0) == 0 &&
        Follows(Rule::kQuantity, medium->substr(10))) {
      mount.medium = medium;
    } else if (medium) {
      mount.medium =
          EnumSetting(context_, *fields->at("medium"), {"Memory", "HugePages"}, "storage medium");
    }
    ok = ok && mount.medium;
  }
  if (fields->count("size_limit")) {
    const ast::Setting& limit = *fields->at("size_limit");
    mount.size_limit = RuleSetting(context_, limit, Rule::kQuantity, "size limit");
    // Kubernetes rejects a negative emptyDir.sizeLimit when it validates the pod.
    if (mount.size_limit && QuantityValue(*mount.size_limit) < 0) {
      context_
          .Report(diag::Kind::kInvalidKubernetesValue, limit.value->span,
                  "size limit `" + *mount.size_limit + "` is negative")
          .help = "write a size such as `\"1Gi\"`, or leave out `size_limit` for no limit";
      mount.size_limit.reset();
    }
    ok = ok && mount.size_limit;
  }
  if (!ok) return;

  mount.volume_name = *volume;
  mount.mount_path = *path;
  out_.empty_dir_mounts.push_back(std::move(mount));
}

void Checker::EphemeralVolume(const ast::Setting& setting) {
  const std::string example = "ephemeral_volume { volume_name = \"scratch\"  mount_path = "
                              "\"/scratch\"  access_modes = [\"ReadWriteOnce\"]  size = \"5Gi\" }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("ephemeral_volume"), example);
  if (!fields) return;
  bool ok = true;
  for (const char* required : {"volume_name", "mount_path", "access_modes", "size"}) {
    ok = Require(context_, *fields, setting, required, "write `" + example + "`") && ok;
  }
  if (!ok) return;

  Settings::EphemeralVolume volume;
  const ast::Setting& name = *fields->at("volume_name");
  std::optional<std::string> volume_name =
      RuleSetting(context_, name, Rule::kDnsLabel, "volume name");
  std::optional<std::string> path = MountPath(*fields->at("mount_path"));
  std::optional<std::string> size =
      StorageSizeSetting(context_, *fields->at("size"), "volume size");
  ok = volume_name && path && size && NewVolumeName(*volume_name, name.value->span);

  std::optional<std::vector<std::string>> modes =
      AccessModesSetting(context_, *fields->at("access_modes"));

  if (fields->count("storage_class_name")) {
    // An empty name gives a claim without a class, which binds to a volume made beforehand.
    const ast::Setting& klass = *fields->at("storage_class_name");
    std::optional<std::string> name = StringSetting(context_, klass);
    if (name && !name->empty() &&
        !CheckText(context_, Rule::kDnsSubdomain, *name, klass.value->span, "storage class name")) {
      name.reset();
    }
    volume.storage_class_name = name;
    ok = ok && volume.storage_class_name;
  }
  if (fields->count("labels")) {
    LabelMap(*fields->at("labels"), "label key", true, volume.labels);
  }
  if (fields->count("annotations")) {
    LabelMap(*fields->at("annotations"), "annotation key", false, volume.annotations);
  }
  if (!ok || !modes) return;

  volume.volume_name = *volume_name;
  volume.mount_path = *path;
  volume.size = *size;
  volume.access_modes = *modes;
  out_.ephemeral_volumes.push_back(std::move(volume));
}

void Checker::FieldPathEnv(const ast::Setting& setting) {
  const std::string example =
      "field_path_env { name = \"POD_NAME\"  field_path = \"metadata.name\" }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("field_path_env"), example);
  if (!fields) return;
  bool ok = Require(context_, *fields, setting, "name", "write `" + example + "`");
  ok = Require(context_, *fields, setting, "field_path", "write `" + example + "`") && ok;
  if (!ok) return;
  std::optional<std::string> name = RuleSetting(context_, *fields->at("name"), Rule::kEnvName,
                                                "environment variable name");
  const ast::Setting& path_field = *fields->at("field_path");
  std::optional<std::string> path = StringSetting(context_, path_field);
  if (!name || !path) return;
  // `metadata.labels['KEY']` or `metadata.annotations['KEY']`. A scan, not std::regex:
  // libstdc++'s matcher recurses once per character and overflowed the stack on a key of
  // 100,000 characters.
  std::optional<std::string> keyed_map, keyed_key;
  for (std::string map : {"labels", "annotations"}) {
    std::string prefix = "metadata." + map + "['";
    if (path->size() < prefix.size() + 2 || !path->starts_with(prefix) || !path->ends_with("']")) {
      continue;
    }
    std::string key = path->substr(prefix.size(), path->size() - prefix.size() - 2);
    if (key.find('\'') != std::string::npos) continue;
    keyed_map = map;
    keyed_key = key;
  }
  if (keyed_key) {
    if (!CheckText(context_, Rule::kLabelKey, *keyed_key, path_field.value->span,
                   keyed_map == "labels" ? "label key" : "annotation key")) {
      return;
    }
  } else if (std::find(kFieldPaths.begin(), kFieldPaths.end(), *path) == kFieldPaths.end()) {
    diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidKubernetesEnum,
                                          path_field.value->span,
                                          "invalid field path `" + *path + "`");
    SuggestName(context_, d, *path, kFieldPaths, path_field.value->span);
    if (d.help.empty()) d.help = "write a field of the pod, such as `metadata.name`";
    d.notes.push_back("the fields are " + JoinNames(kFieldPaths));
    return;
  }
  out_.field_path_env.push_back(Settings::FieldPathEnv{*name, *path});
}

std::optional<std::vector<MapEntry>> Checker::QuantityMap(const ast::Setting& setting) {
  return StringMapSetting(context_, setting, Rule::kLabelKey, "resource name", Rule::kQuantity,
                          "resource quantity");
}

void Checker::CheckRequestsWithinLimits(const std::vector<MapEntry>& requests,
                                        const std::vector<MapEntry>& limits) {
  for (const MapEntry& request : requests) {
    auto limit = std::find_if(limits.begin(), limits.end(),
                              [&](const MapEntry& entry) { return entry.key == request.key; });
    if (limit == limits.end() || QuantityValue(request.value) <= QuantityValue(limit->value)) {
      continue;
    }
    diag::Diagnostic& d = context_.Report(diag::Kind::kResourceRequestOverLimit, request.value_span,
                                          "`" + request.key + "` request `" + request.value +
                                              "` is more than the limit `" + limit->value + "`");
    d.labels.push_back({limit->value_span, "the limit is set here"});
    d.notes.push_back("Kubernetes rejects a pod whose request is more than its limit");
    d.help = "raise the limit of `" + request.key + "` to at least `" + request.value +
             "`, or lower its request";
  }
}

std::optional<std::string> Checker::InitContainerName(const ast::Setting& field) {
  std::optional<std::string> name = RuleSetting(context_, field, Rule::kDnsLabel, "container name");
  if (!name) return std::nullopt;
  if (*name == "kfp-launcher") {
    context_.Report(diag::Kind::kInvalidKubernetesValue, field.value->span,
                    "container name `kfp-launcher` is reserved")
        .help = "choose another name, because the KFP backend adds its launcher as an init "
                "container named `kfp-launcher`";
    return std::nullopt;
  }
  auto [first, inserted] = init_container_names_.emplace(*name, field.value->span);
  if (!inserted) {
    diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidKubernetesValue, field.value->span,
                                          "init container `" + *name + "` is defined twice");
    d.labels.push_back({first->second, "first defined here"});
    d.help = "give each init container of the task its own name";
    return std::nullopt;
  }
  return name;
}

void Checker::InitContainer(const ast::Setting& setting) {
  const std::string example =
      "init_container { name = \"prepare\"  image = \"busybox:1.36\"  command = [\"true\"] }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("init_container"), example);
  if (!fields) return;
  bool ok = Require(context_, *fields, setting, "name", "write `" + example + "`");
  ok = Require(context_, *fields, setting, "image", "write `" + example + "`") && ok;
  if (!ok) return;

  Settings::InitContainer container;
  std::vector<MapEntry> requests, limits;
  std::optional<std::string> name = InitContainerName(*fields->at("name"));
  std::optional<std::string> image = StringSetting(context_, *fields->at("image"));
  if (image && image->empty()) {
    context_.Report(diag::Kind::kInvalidKubernetesValue, fields->at("image")->value->span,
                    "empty image")
        .help = "write the container image, such as `image = \"busybox:1.36\"`";
    image.reset();
  } else if (image && !CheckImageReference(context_, *image, fields->at("image")->value->span)) {
    image.reset();
  }
  ok = name && image;

  for (const auto& [field_name, field] : *fields) {
    if (field_name == "command" || field_name == "args") {
      auto items = StringListSetting(context_, *field);
      ok = ok && items;
      if (items) (field_name == "command" ? container.command : container.args) = *items;
    } else if (field_name == "env" || field_name == "volume_mounts") {
      bool is_env = field_name == "env";
      auto entries = StringMapSetting(
          context_, *field, is_env ? Rule::kEnvName : Rule::kDnsLabel,
          is_env ? "environment variable name" : "volume name", std::nullopt, "");
      ok = ok && entries;
      for (size_t i = 0; entries && i < entries->size(); ++i) {
        const MapEntry& entry = (*entries)[i];
        if (!is_env && entry.value.rfind('/', 0) != 0) {
          context_.Report(diag::Kind::kInvalidKubernetesValue, entry.value_span,
                          "mount path `" + entry.value + "` is not absolute")
              .help = "write a path that starts with `/`, such as `\"/data\"`";
          ok = false;
        }
        (is_env ? container.env : container.volume_mounts).emplace_back(entry.key, entry.value);
      }
    } else if (field_name == "restart_policy") {
      container.restart_policy =
          EnumSetting(context_, *field, {"Always"}, "init container restart policy");
      ok = ok && container.restart_policy;
    } else if (field_name == "resource_requests" || field_name == "resource_limits") {
      auto quantities = QuantityMap(*field);
      ok = ok && quantities;
      if (quantities) {
        bool is_request = field_name == "resource_requests";
        auto& amounts = is_request ? container.resource_requests : container.resource_limits;
        for (const MapEntry& entry : *quantities) amounts[entry.key] = entry.value;
        (is_request ? requests : limits) = std::move(*quantities);
      }
    }
  }
  CheckRequestsWithinLimits(requests, limits);
  if (!ok) return;

  container.name = *name;
  container.image = *image;
  out_.init_containers.push_back(std::move(container));
}

}  // namespace kfpc::check::k8s
