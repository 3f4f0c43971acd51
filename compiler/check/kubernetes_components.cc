// The built-in components `CreatePVC` and `DeletePVC` of kfp-kubernetes. The KFP backend runs
// neither image: it recognizes the `argostub/` images and creates or deletes the
// PersistentVolumeClaim itself. The interfaces and descriptions are those of
// kfp.kubernetes.CreatePVC and DeletePVC, so that the IR matches the SDK's.

#include "compiler/check/kubernetes_settings.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

constexpr const char* kPvcReference =
    "<https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/"
    "persistent-volume-claim-v1/#PersistentVolumeClaim";

sema::InputDef Input(const std::string& name, sema::ParamType type, bool optional,
                     const std::string& description) {
  sema::InputDef input;
  input.name = name;
  input.type = ParamTypeOf(type);
  input.optional = optional;
  input.description = description;
  return input;
}

sema::Component CreatePvc() {
  using sema::ParamType;
  const std::string pvc = kPvcReference;
  sema::Component component;
  component.name = "CreatePVC";
  component.image = "argostub/createpvc";
  component.description = "Create a PersistentVolumeClaim, which can be used by downstream tasks.";

  sema::InputDef access_modes = Input(
      "access_modes", ParamType::kList, false,
      "Values for ``PersistentVolumeClaim.spec.accessModes``.");
  access_modes.type.element = std::make_shared<sema::Type>(ParamTypeOf(ParamType::kString));
  sema::InputDef storage_class_name = Input(
      "storage_class_name", ParamType::kString, true,
      "Name of StorageClass from which to provision the PV\n"
      "to back the PVC. ``None`` indicates to use the cluster's default\n"
      "storage_class_name. Set to ``''`` for a statically specified PVC.");
  storage_class_name.default_value = sema::Constant{std::string()};

  component.inputs = {
      access_modes,
      Input("size", ParamType::kString, false,
            "The size of storage requested by the PVC that will be\n"
            "provisioned. For example, ``'5Gi'``. Corresponds to\n"
            "`PersistentVolumeClaim.spec.resources.requests.storage\n" + pvc + "Spec>`_."),
      Input("pvc_name", ParamType::kString, true,
            "Name of the PVC. Corresponds to\n`PersistentVolumeClaim.metadata.name\n" + pvc +
                ">`_.\nOnly one of ``pvc_name`` and ``pvc_name_suffix`` can be provided."),
      Input("pvc_name_suffix", ParamType::kString, true,
            "Prefix to use for a dynamically generated name, which\n"
            "will take the form ``<argo-workflow-name>-<pvc_name_suffix>``. Only\n"
            "one of ``pvc_name`` and ``pvc_name_suffix`` can be provided."),
      storage_class_name,
      Input("volume_name", ParamType::kString, true,
            "Pre-existing PersistentVolume that should back the\n"
            "provisioned PersistentVolumeClaim. Used for statically\n"
            "specified PV only. Corresponds to\n`PersistentVolumeClaim.spec.volumeName\n" + pvc +
                "Spec>`_."),
      Input("annotations", ParamType::kDict, true,
            "Annotations for the PVC's metadata. Corresponds to\n"
            "`PersistentVolumeClaim.metadata.annotations\n" + pvc + ">`_."),
      Input("data_source", ParamType::kDict, true,
            "Specifies the data source for the PVC. This can be used to\n"
            "create a PVC from a VolumeSnapshot or to clone an existing PVC.\n"
            "Should be a dictionary with ``'apiGroup'``, ``'kind'``, and\n"
            "``'name'`` keys. For example:\n"
            "``{'apiGroup': 'snapshot.storage.k8s.io', 'kind': 'VolumeSnapshot', "
            "'name': 'my-snapshot'}``.\n"
            "Corresponds to `PersistentVolumeClaim.spec.dataSource\n" + pvc + "Spec>`_."),
  };

  sema::OutputDef name;
  name.name = "name";
  name.type = ParamTypeOf(ParamType::kString);
  component.outputs = {name};
  return component;
}

sema::Component DeletePvc() {
  sema::Component component;
  component.name = "DeletePVC";
  component.image = "argostub/deletepvc";
  component.description = "Delete a PersistentVolumeClaim.";
  component.inputs = {Input(
      "pvc_name", sema::ParamType::kString, false,
      "Name of the PVC to delete. Supports passing a runtime-generated name, such as a name "
      "provided by ``kubernetes.CreatePvcOp().outputs['name']``.")};
  return component;
}

}  // namespace

const sema::Component* KubernetesComponent(const std::string& name) {
  // Built once and never changed, so every program and language server document shares them.
  static const sema::Component kCreatePvc = CreatePvc();
  static const sema::Component kDeletePvc = DeletePvc();
  if (name == kCreatePvc.name) return &kCreatePvc;
  if (name == kDeletePvc.name) return &kDeletePvc;
  return nullptr;
}

}  // namespace kfpc::check
