#include "compiler/lower/lower.h"

#include "compiler/lower/naming.h"
#include "compiler/lower/pipeline_builder.h"

namespace kfpc::lower {

ir::Document Lower(const sema::Program& program, const sema::Pipeline& pipeline,
                   const LowerOptions& options) {
  (void)program;  // Components and called pipelines are reached through the tasks.
  CompiledPipelineCache cache(options);
  PipelineBuilder builder(pipeline, options, &cache);
  CompiledPipeline compiled = builder.Build();

  ir::Document document;
  ir::PipelineSpec& spec = document.pipeline;
  spec.pipeline_info.name = SanitizeK8sName(pipeline.ir_name.value_or(pipeline.name));
  spec.pipeline_info.display_name = pipeline.display_name.value_or("");
  spec.pipeline_info.description = pipeline.description;
  spec.root = std::move(compiled.root);
  spec.components = std::move(compiled.components);
  spec.executors = std::move(compiled.executors);
  document.platform.executors = std::move(compiled.platform);
  spec.sdk_version = "kfpc-" + options.kfpc_version;
  if (!options.kfp_target.empty()) spec.sdk_version += "+kfp-" + options.kfp_target;
  spec.default_pipeline_root = pipeline.pipeline_root.value_or("");
  if (pipeline.workspace) {
    // The SDK always writes the Kubernetes part, with an empty patch when nothing is set.
    ir::Value::Struct patch;
    const sema::Pipeline::Workspace& workspace = *pipeline.workspace;
    if (!workspace.access_modes.empty()) {
      ir::Value::List modes;
      for (const std::string& mode : workspace.access_modes)
        modes.push_back(ir::Value::String(mode));
      patch["accessModes"] = ir::Value::FromList(std::move(modes));
    }
    if (workspace.storage_class_name) {
      patch["storageClassName"] = ir::Value::String(*workspace.storage_class_name);
    }
    ir::Value::Struct kubernetes = {{"pvcSpecPatch", ir::Value::FromStruct(std::move(patch))}};
    ir::Value::Struct config = {{"size", ir::Value::String(workspace.size)},
                                {"kubernetes", ir::Value::FromStruct(std::move(kubernetes))}};
    document.platform.pipeline_config =
        ir::Value::FromStruct({{"workspace", ir::Value::FromStruct(std::move(config))}});
  }
  return document;
}

}  // namespace kfpc::lower
