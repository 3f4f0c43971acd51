#pragma once

// The checker of one task's Kubernetes settings, split over kubernetes_settings.cc (scheduling,
// pod metadata, images, timeout and security context) and kubernetes_volumes.cc (Secrets,
// ConfigMaps, volumes, environment and init containers). Internal to compiler/check.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/check/kubernetes_fields.h"
#include "compiler/check/kubernetes_settings.h"

namespace kfpc::check::k8s {

using Settings = sema::KubernetesSettings;

// Checks settings one at a time into `out`. Each check reports its mistakes and leaves `out`
// without the setting when there is one.
class Checker {
 public:
  Checker(Context& context, const RuntimeValueChecker& check_value, Settings& out)
      : context_(context), check_value_(check_value), out_(out) {}

  // kubernetes_settings.cc
  void NodeSelector(const ast::Setting& setting);
  void Toleration(const ast::Setting& setting);
  void NodeAffinity(const ast::Setting& setting);
  void ImagePullSecrets(const ast::Setting& setting);
  void ImagePullPolicy(const ast::Setting& setting);
  void PodLabels(const ast::Setting& setting);
  void PodAnnotations(const ast::Setting& setting);
  void Timeout(const ast::Setting& setting);
  void SecurityContext(const ast::Setting& setting);

  // kubernetes_volumes.cc
  struct ObjectKind;  // a Secret or a ConfigMap, for the settings that read either
  void SecretEnv(const ast::Setting& setting);
  void ConfigMapEnv(const ast::Setting& setting);
  void SecretVolume(const ast::Setting& setting);
  void ConfigMapVolume(const ast::Setting& setting);
  void PvcMount(const ast::Setting& setting);
  void EmptyDirMount(const ast::Setting& setting);
  void EphemeralVolume(const ast::Setting& setting);
  void FieldPathEnv(const ast::Setting& setting);
  void InitContainer(const ast::Setting& setting);

 private:
  // kubernetes_settings.cc
  std::optional<Settings::SelectorRequirement> Requirement(const ast::Setting& setting,
                                                           bool is_field);
  // Reads a map whose keys are label keys into `out`; `label_values` checks the values as
  // label values too (annotation values may be any string).
  void LabelMap(const ast::Setting& setting, const std::string& key_what, bool label_values,
                std::map<std::string, std::string>& out);
  // Reads the name of an object that the backend looks up when the task runs, such as a Secret.
  std::optional<sema::ValueRef> RuntimeName(const ast::Expr& expr, Rule rule,
                                            const std::string& what);

  // kubernetes_volumes.cc
  void EnvSource(const ast::Setting& setting, const ObjectKind& kind,
                 std::vector<Settings::EnvSource>& out);
  void VolumeSource(const ast::Setting& setting, const ObjectKind& kind,
                    std::vector<Settings::VolumeSource>& out);
  // Reads a mount path of the task's container, which must differ from the task's other ones.
  std::optional<std::string> MountPath(const ast::Setting& field);
  // Records the name of a volume that the task defines; reports a name used twice.
  bool NewVolumeName(const std::string& name, diag::Span span, const std::string& help = "");
  // Checks the volume that the KFP driver makes for a mounted Secret, ConfigMap or PVC, which it
  // names after the object: the name must be a volume name and not used twice in the task.
  bool ObjectVolumeName(const sema::ValueRef& object, const std::string& noun);
  // Reads a map from resource names to quantities, such as `{"cpu": "500m"}`.
  std::optional<std::vector<MapEntry>> QuantityMap(const ast::Setting& setting);
  // Reports each resource whose request is more than its limit.
  void CheckRequestsWithinLimits(const std::vector<MapEntry>& requests,
                                 const std::vector<MapEntry>& limits);
  // Reads an init container's name, which must differ from the task's other init containers.
  std::optional<std::string> InitContainerName(const ast::Setting& field);

  Context& context_;
  const RuntimeValueChecker& check_value_;
  Settings& out_;
  std::map<std::string, diag::Span> mount_paths_;
  std::map<std::string, diag::Span> volume_names_;
  // Mounted objects named by a pipeline input or a task output, by the input or output.
  std::map<std::string, diag::Span> runtime_objects_;
  std::map<std::string, diag::Span> init_container_names_;
};

}  // namespace kfpc::check::k8s
