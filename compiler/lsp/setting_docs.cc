#include "compiler/lsp/setting_docs.h"

#include <span>

namespace kfpc::lsp {

namespace {

struct SettingEntry {
  const char* name;
  const char* doc;
};

// The settings of a component. A container component takes `image`, `command`, `args` and
// `description`. A Python function component takes `python`, `image`, `description` and the rest.
constexpr SettingEntry kComponentSettings[] = {
    {"name",
     "The name that the IR's component, executor and task names derive from, such as "
     "`\"Xgboost train\"`, in place of the declared name; two components may share it."},
    {"image",
     "The container image that runs the component (`container.image`). With a target, "
     "`kfpc build` writes the digest of the target platform's manifest from `kfpc.lock`."},
    {"command",
     "The container's entrypoint: a list of strings and placeholders such as `model.path` "
     "(`container.command`)."},
    {"args", "The arguments after `command` (`container.args`)."},
    {"description", "The component's description. A `///` comment before it sets it too."},
    {"python",
     "The source of a Python function component, in `\"\"\"...\"\"\"`. The function must be named "
     "like the component, and its signature must match the declared inputs and outputs."},
    {"packages", "The pip packages installed before the function runs: `[\"numpy==1.26.4\"]`."},
    {"pip_index_urls",
     "The package indexes of `pip install`: the first is `--index-url`, the others "
     "`--extra-index-url`."},
    {"pip_trusted_hosts", "The hosts that pip trusts without valid HTTPS (`--trusted-host`)."},
    {"use_venv", "`true` installs the packages into a virtual environment of their own."},
};

constexpr SettingEntry kArtifactSettings[] = {
    {"schema_title",
     "The schema title of the artifact type, such as `\"acme.TabularData\"` "
     "(`artifactType.schemaTitle`)."},
    {"schema_version",
     "The schema version, `\"0.0.1\"` by default (`artifactType.schemaVersion`)."},
    {"python_module",
     "The Python module that defines a class of this name, such as `\"aiplatform\"`. Python "
     "components that name the class get its import, as the SDK writes it."},
};

constexpr SettingEntry kPipelineSettings[] = {
    {"description",
     "The pipeline's description (`pipelineInfo.description`). A `///` comment before it sets it "
     "too."},
    {"display_name", "The pipeline's name in the KFP UI (`pipelineInfo.displayName`)."},
    {"pipeline_root",
     "Where the run stores its artifacts, such as `\"s3://bucket/root\"` (`defaultPipelineRoot`)."},
    {"target",
     "The target profile of the pipeline's tasks, such as `\"graviton4\"`, `\"arm64\"` or a "
     "profile "
     "of `kfpc.yaml`. A task's own `target` takes precedence; this setting takes precedence over "
     "`--target` and `default_target`."},
    {"name",
     "The name that `pipelineInfo.name` derives from, such as `\"pipeline\"`, in place of the "
     "declared name; also the task and component names when another pipeline calls this one."},
    {"workspace",
     "A block of `size`, `access_modes` and `storage_class_name`: a volume that the run's tasks "
     "share, at `run.workspace_path` (`pipelineConfig.workspace` of the platform spec). KFP "
     "backends mount it from 2.15."},
};

constexpr SettingEntry kTaskSettings[] = {
    {"display_name", "The task's name in the KFP UI (`taskInfo.name`)."},
    {"cpu_request",
     "The CPU that the task's container requests: `\"500m\"`, `\"0.5\"` or `2`, or a string "
     "input or output read when the task runs (`resources.cpuRequest`)."},
    {"cpu_limit",
     "The most CPU that the task's container may use: `\"500m\"`, `\"0.5\"` or `2`, or a "
     "string input or output read when the task runs (`resources.cpuLimit`)."},
    {"memory_request",
     "The memory that the task's container requests: `\"16Gi\"`, `\"512M\"`, or a string "
     "input or output read when the task runs (`resources.memoryRequest`)."},
    {"memory_limit",
     "The most memory that the task's container may use: `\"16Gi\"`, `\"512M\"`, or a "
     "string input or output read when the task runs (`resources.memoryLimit`)."},
    {"accelerator_type",
     "The accelerator's resource name, such as `\"nvidia.com/gpu\"`, or a string input or "
     "output read when the task runs (`resources.accelerator`)."},
    {"accelerator_count",
     "How many accelerators the task gets: 0, 1, 2, 4, 8 or 16, as a number or a string, or a "
     "string input or output read when the task runs (`resources.accelerator`)."},
    {"cache",
     "`false` turns off result caching for the task (`cachingOptions.enableCache`). Caching is on "
     "by default."},
    {"retry",
     "A block of `max`, `backoff`, `factor` and `max_backoff`: how often and after what wait a "
     "failed task runs again (`retryPolicy`)."},
    {"after",
     "Tasks that must finish before this one, `[task, ...]`, beyond those whose outputs it reads "
     "(`dependentTasks`)."},
    {"ignore_upstream_failure",
     "`true` runs the task when the tasks it waits for have failed too "
     "(`triggerPolicy.strategy: ALL_UPSTREAM_TASKS_COMPLETED`)."},
    {"target",
     "The target profile of this task, such as `\"graviton4\"` or `\"amd64\"`: its nodes, the "
     "image manifest it runs and its cache key. It takes precedence over the pipeline's `target`, "
     "`--target` and `default_target`."},
    {"cache_salt", "A string mixed into the task's cache key, to start a fresh cache on purpose."},
    {"env",
     "`env NAME = \"value\"` sets an environment variable of the task's container "
     "(`container.env` of its executor). The value is a constant string."},
    {"node_selector",
     "Node labels that the task's pod requires: `{\"label\": \"value\"}`, or a `dict` input "
     "(`nodeSelector`; kfp-kubernetes `add_node_selector`)."},
    {"toleration",
     "A block `{ key operator value effect seconds }` that lets the pod run on nodes with a "
     "matching taint (`tolerations`; `add_toleration`). Repeatable."},
    {"node_affinity",
     "A block of `match_expression { ... }`, `match_field { ... }` and `weight` "
     "(`nodeAffinity`; `add_node_affinity`). Repeatable."},
    {"secret_env",
     "A block `{ secret keys optional }`: environment variables from a Kubernetes Secret "
     "(`secretAsEnv`; `use_secret_as_env`). Repeatable."},
    {"secret_volume",
     "A block `{ secret mount_path optional }`: a Secret mounted as a volume (`secretAsVolume`; "
     "`use_secret_as_volume`). Repeatable."},
    {"config_map_env",
     "A block `{ config_map keys optional }`: environment variables from a ConfigMap "
     "(`configMapAsEnv`; `use_config_map_as_env`). Repeatable."},
    {"config_map_volume",
     "A block `{ config_map mount_path optional }`: a ConfigMap mounted as a volume "
     "(`configMapAsVolume`; `use_config_map_as_volume`). Repeatable."},
    {"pvc_mount",
     "A block `{ pvc mount_path sub_path }`: a PersistentVolumeClaim mounted into the container "
     "(`pvcMount`; `mount_pvc`). Repeatable."},
    {"empty_dir_mount",
     "A block `{ volume_name mount_path medium size_limit }`: an emptyDir volume "
     "(`emptyDirMounts`; `empty_dir_mount`). Repeatable."},
    {"ephemeral_volume",
     "A block `{ volume_name mount_path access_modes size storage_class_name labels annotations "
     "}`: a generic ephemeral volume (`genericEphemeralVolume`; `add_ephemeral_volume`). "
     "Repeatable."},
    {"field_path_env",
     "A block `{ name field_path }`: an environment variable from a field of the pod, such as "
     "`metadata.name` (`fieldPathAsEnv`; `use_field_path_as_env`). Repeatable."},
    {"image_pull_secrets",
     "The Secrets that the kubelet uses to pull the image, `[\"name\", ...]` (`imagePullSecret`; "
     "`set_image_pull_secrets`)."},
    {"image_pull_policy",
     "`\"Always\"`, `\"Never\"` or `\"IfNotPresent\"` (`imagePullPolicy`; "
     "`set_image_pull_policy`)."},
    {"pod_labels", "Labels of the task's pod, `{...}` (`podMetadata`; `add_pod_label`)."},
    {"pod_annotations",
     "Annotations of the task's pod, `{...}` (`podMetadata`; `add_pod_annotation`)."},
    {"timeout",
     "The pod's deadline in whole seconds, such as `3600` (`activeDeadlineSeconds`; "
     "`set_timeout`)."},
    {"security_context",
     "A block `{ run_as_user run_as_group run_as_non_root }` (`securityContext`; "
     "`set_security_context`)."},
    {"init_container",
     "A block `{ name image command args env volume_mounts restart_policy resource_requests "
     "resource_limits }`: a container that runs before the task's own (`initContainers`; "
     "`add_init_container`). Repeatable."},
};

// The fields of the blocks in a task's block, by block path and field name. Only the fields that
// the checker accepts are here, so a name missing from this table has no hover.
struct FieldEntry {
  const char* block;
  const char* name;
  const char* doc;
};

// The fields of the blocks in a pipeline's body.
constexpr FieldEntry kPipelineBlockFields[] = {
    {"workspace", "size", "The size of the workspace volume, such as `\"10Gi\"` (required)."},
    {"workspace", "access_modes",
     "The volume's access modes, such as `[\"ReadWriteOnce\"]` "
     "(`pvcSpecPatch.accessModes`); the KFP API server's workspace setting without it."},
    {"workspace", "storage_class_name",
     "The storage class of the volume (`pvcSpecPatch.storageClassName`); the KFP API server's "
     "workspace setting without it."},
};

constexpr FieldEntry kBlockFields[] = {
    {"retry", "max", "How many times a failed task runs again (`retryPolicy.maxRetryCount`)."},
    {"retry", "backoff",
     "The wait before the first retry, such as `\"30s\"` (`retryPolicy.backoffDuration`)."},
    {"retry", "factor",
     "The factor by which the wait grows after each retry (`retryPolicy.backoffFactor`)."},
    {"retry", "max_backoff",
     "The longest wait between two retries, such as `\"3600s\"` "
     "(`retryPolicy.backoffMaxDuration`)."},
    {"toleration", "key", "The label key of the taint that the pod tolerates."},
    {"toleration", "operator",
     "`\"Equal\"` (the taint's value must equal `value`) or `\"Exists\"` (any value; no `value` "
     "then)."},
    {"toleration", "value", "The taint's value, with the operator `Equal`."},
    {"toleration", "effect", "`\"NoSchedule\"`, `\"PreferNoSchedule\"` or `\"NoExecute\"`."},
    {"toleration", "seconds",
     "How long the pod stays on a node after a `NoExecute` taint appears (`tolerationSeconds`). "
     "Only with `effect = \"NoExecute\"`."},
    {"node_affinity", "match_expression",
     "A block `{ key operator values }` that matches node labels."},
    {"node_affinity", "match_field",
     "A block `{ key operator values }` that matches a node field: `metadata.name` with `In` or "
     "`NotIn` and one node name."},
    {"node_affinity", "weight",
     "From 1 to 100: makes the rule preferred rather than required, with this weight."},
    {"node_affinity.match_expression", "key", "The node label to match."},
    {"node_affinity.match_expression", "operator",
     "`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`. `In` and `NotIn` need `values`, "
     "`Exists` and `DoesNotExist` take none, `Gt` and `Lt` one integer written as a string."},
    {"node_affinity.match_expression", "values", "The label values that the operator compares."},
    {"node_affinity.match_field", "key", "The node field to match: `metadata.name`."},
    {"node_affinity.match_field", "operator", "`In` or `NotIn`."},
    {"node_affinity.match_field", "values", "One node name."},
    {"secret_env", "secret",
     "The Secret's name: a string, a pipeline input, a task output or a loop item."},
    {"secret_env", "keys",
     "A map from keys of the Secret to environment variable names, in the order written "
     "(`keyToEnv`)."},
    {"secret_env", "optional", "`true` lets the pod start without the Secret (default `false`)."},
    {"secret_volume", "secret",
     "The Secret's name: a string, a pipeline input, a task output or a loop item."},
    {"secret_volume", "mount_path", "The absolute path where the Secret is mounted."},
    {"secret_volume", "optional",
     "`true` lets the pod start without the Secret (default `false`)."},
    {"config_map_env", "config_map",
     "The ConfigMap's name: a string, a pipeline input, a task output or a loop item."},
    {"config_map_env", "keys",
     "A map from keys of the ConfigMap to environment variable names, in the order written "
     "(`keyToEnv`)."},
    {"config_map_env", "optional",
     "`true` lets the pod start without the ConfigMap (default `false`)."},
    {"config_map_volume", "config_map",
     "The ConfigMap's name: a string, a pipeline input, a task output or a loop item."},
    {"config_map_volume", "mount_path", "The absolute path where the ConfigMap is mounted."},
    {"config_map_volume", "optional",
     "`true` lets the pod start without the ConfigMap (default `false`)."},
    {"pvc_mount", "pvc",
     "The PersistentVolumeClaim's name: a string, a pipeline input, a task output, such as "
     "`CreatePVC`'s `name`, or a loop item."},
    {"pvc_mount", "mount_path", "The absolute path where the claim is mounted."},
    {"pvc_mount", "sub_path", "A path inside the volume to mount instead of its root."},
    {"empty_dir_mount", "volume_name", "The name of the emptyDir volume in the pod."},
    {"empty_dir_mount", "mount_path", "The absolute path where the volume is mounted."},
    {"empty_dir_mount", "medium", "`\"Memory\"`, `\"HugePages\"` or `\"HugePages-<size>\"`."},
    {"empty_dir_mount", "size_limit", "The most space the volume may use, such as `\"1Gi\"`."},
    {"ephemeral_volume", "volume_name", "The name of the volume in the pod."},
    {"ephemeral_volume", "mount_path", "The absolute path where the volume is mounted."},
    {"ephemeral_volume", "access_modes",
     "A list of `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany` and `ReadWriteOncePod`."},
    {"ephemeral_volume", "size", "The size of the claim, such as `\"5Gi\"`."},
    {"ephemeral_volume", "storage_class_name",
     "The StorageClass of the claim. Without it the cluster's default class is used; `\"\"` "
     "asks for no class, to bind to a volume made beforehand."},
    {"ephemeral_volume", "labels", "Labels of the claim's `metadata`."},
    {"ephemeral_volume", "annotations", "Annotations of the claim's `metadata`."},
    {"field_path_env", "name", "The environment variable to set."},
    {"field_path_env", "field_path",
     "The pod field to read, such as `metadata.name`, `metadata.labels['KEY']`, `spec.nodeName` "
     "or `status.podIP`."},
    {"security_context", "run_as_user", "The user ID that the container runs as (0 or more)."},
    {"security_context", "run_as_group", "The group ID that the container runs as (0 or more)."},
    {"security_context", "run_as_non_root",
     "`true` makes the kubelet refuse to start the container as root."},
    {"init_container", "name", "The container's name. `kfp-launcher` is reserved."},
    {"init_container", "image", "The container's image."},
    {"init_container", "command", "The container's entrypoint, a list of strings."},
    {"init_container", "args", "The arguments after `command`, a list of strings."},
    {"init_container", "env", "A map from environment variable names to values, in order."},
    {"init_container", "volume_mounts",
     "A map from names of the pod's volumes, such as an `empty_dir_mount`, to absolute paths."},
    {"init_container", "restart_policy", "`\"Always\"` makes the container a sidecar."},
    {"init_container", "resource_requests",
     "A map from resource names to the quantities the container requests."},
    {"init_container", "resource_limits",
     "A map from resource names to the most the container may use. A request above its limit is "
     "an error."},
};

template <size_t N>
const char* Find(const SettingEntry (&entries)[N], const std::string& name) {
  for (const SettingEntry& entry : entries) {
    if (name == entry.name) return entry.doc;
  }
  return nullptr;
}

template <size_t N>
std::vector<std::string> Names(const SettingEntry (&entries)[N]) {
  std::vector<std::string> names;
  for (const SettingEntry& entry : entries) names.push_back(entry.name);
  return names;
}

const char* OwnerText(SettingOwner owner) {
  switch (owner) {
    case SettingOwner::kComponent: return "component setting";
    case SettingOwner::kArtifact: return "artifact type setting";
    case SettingOwner::kPipeline: return "pipeline setting";
    case SettingOwner::kTask: return "task setting";
  }
  return "setting";
}

// The code line at the top of a hover, as for other names: `(task setting) cpu_limit`.
std::string Heading(const std::string& kind, const std::string& name) {
  return "```kf\n(" + kind + ") " + name + "\n```\n\n";
}

// The fields of the blocks that `owner` may hold: a task's and a pipeline's.
std::span<const FieldEntry> BlockFields(SettingOwner owner) {
  if (owner == SettingOwner::kTask) return kBlockFields;
  if (owner == SettingOwner::kPipeline) return kPipelineBlockFields;
  return {};
}

}  // namespace

std::string SettingDoc(SettingOwner owner, const std::vector<std::string>& path) {
  if (path.empty()) return "";
  const std::string& name = path.back();

  if (path.size() == 1) {
    const char* doc = nullptr;
    switch (owner) {
      case SettingOwner::kComponent: doc = Find(kComponentSettings, name); break;
      case SettingOwner::kArtifact: doc = Find(kArtifactSettings, name); break;
      case SettingOwner::kPipeline: doc = Find(kPipelineSettings, name); break;
      case SettingOwner::kTask: doc = Find(kTaskSettings, name); break;
    }
    if (doc == nullptr) return "";
    return Heading(OwnerText(owner), name) + doc;
  }
  if (owner != SettingOwner::kTask && owner != SettingOwner::kPipeline) return "";

  std::string block = path[0];
  for (size_t i = 1; i + 1 < path.size(); ++i) block += "." + path[i];
  for (const FieldEntry& field : BlockFields(owner)) {
    if (block == field.block && name == field.name) {
      return Heading(block + " field", name) + field.doc;
    }
  }
  return "";
}

std::vector<std::string> DocumentedSettings(SettingOwner owner, std::string_view path) {
  if (!path.empty()) {
    std::vector<std::string> names;
    for (const FieldEntry& field : BlockFields(owner)) {
      if (path == field.block) names.push_back(field.name);
    }
    return names;
  }
  switch (owner) {
    case SettingOwner::kComponent: return Names(kComponentSettings);
    case SettingOwner::kArtifact: return Names(kArtifactSettings);
    case SettingOwner::kPipeline: return Names(kPipelineSettings);
    case SettingOwner::kTask: return Names(kTaskSettings);
  }
  return {};
}

}  // namespace kfpc::lsp
