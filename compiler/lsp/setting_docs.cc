#include "compiler/lsp/setting_docs.h"

#include <algorithm>
#include <utility>

#include "compiler/check/kubernetes_settings.h"

namespace kfpc::lsp {

namespace {

struct SettingEntry {
  const char* name;
  const char* doc;
};

// The settings of a component. A container component takes `image`, `command`, `args` and
// `description`. A Python function component takes `python`, `image`, `description` and the rest.
constexpr SettingEntry kComponentSettings[] = {
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
    {"schema_version", "The schema version, `\"0.0.1\"` by default (`artifactType.schemaVersion`)."},
};

constexpr SettingEntry kPipelineSettings[] = {
    {"description",
     "The pipeline's description (`pipelineInfo.description`). A `///` comment before it sets it "
     "too."},
    {"display_name", "The pipeline's name in the KFP UI (`pipelineInfo.displayName`)."},
    {"pipeline_root",
     "Where the run stores its artifacts, such as `\"s3://bucket/root\"` (`defaultPipelineRoot`)."},
    {"target",
     "The target profile of the pipeline's tasks, such as `\"graviton4\"`, `\"arm64\"` or a profile "
     "of `kfpc.yaml`. A task's own `target` takes precedence; this setting takes precedence over "
     "`--target` and `default_target`."},
};

constexpr SettingEntry kTaskSettings[] = {
    {"display_name", "The task's name in the KFP UI (`taskInfo.name`)."},
    {"cpu_request",
     "The CPU that the task's container requests: `\"500m\"`, `\"0.5\"` or `2` "
     "(`resources.cpuRequest`)."},
    {"cpu_limit",
     "The most CPU that the task's container may use: `\"500m\"`, `\"0.5\"` or `2` "
     "(`resources.cpuLimit`)."},
    {"memory_request",
     "The memory that the task's container requests: `\"16Gi\"`, `\"512M\"` "
     "(`resources.memoryRequest`)."},
    {"memory_limit",
     "The most memory that the task's container may use: `\"16Gi\"`, `\"512M\"` "
     "(`resources.memoryLimit`)."},
    {"accelerator_type",
     "The accelerator's resource name, such as `\"nvidia.com/gpu\"` (`resources.accelerator`)."},
    {"accelerator_count", "How many accelerators the task gets (`resources.accelerator`)."},
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

constexpr SettingEntry kRetrySettings[] = {
    {"max", "How many times a failed task runs again (`retryPolicy.maxRetryCount`)."},
    {"backoff", "The wait before the first retry, such as `\"30s\"` (`retryPolicy.backoffDuration`)."},
    {"factor", "The factor by which the wait grows after each retry (`retryPolicy.backoffFactor`)."},
    {"max_backoff",
     "The longest wait between two retries, such as `\"3600s\"` "
     "(`retryPolicy.backoffMaxDuration`)."},
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
  if (owner != SettingOwner::kTask) return "";
  std::string block = path[0];
  for (size_t i = 1; i + 1 < path.size(); ++i) block += "." + path[i];
  if (block == "retry") {
    const char* doc = Find(kRetrySettings, name);
    if (doc == nullptr) return "";
    return Heading("retry field", name) + doc;
  }
  // A field of a Kubernetes block. The block's own description names the IR field it fills.
  const std::vector<std::string>* fields = check::KubernetesBlockFields(block);
  if (fields == nullptr || std::find(fields->begin(), fields->end(), name) == fields->end()) {
    return "";
  }
  const char* block_doc = Find(kTaskSettings, path[0]);
  if (block_doc == nullptr) return "";
  return Heading(block + " field", name) + "A field of `" + block + "`. `" + path[0] + "`: " +
         block_doc;
}

std::vector<std::string> DocumentedSettings(SettingOwner owner, std::string_view path) {
  if (path == "retry" && owner == SettingOwner::kTask) return Names(kRetrySettings);
  if (!path.empty()) return {};
  switch (owner) {
    case SettingOwner::kComponent: return Names(kComponentSettings);
    case SettingOwner::kArtifact: return Names(kArtifactSettings);
    case SettingOwner::kPipeline: return Names(kPipelineSettings);
    case SettingOwner::kTask: return Names(kTaskSettings);
  }
  return {};
}

}  // namespace kfpc::lsp
