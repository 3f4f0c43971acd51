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
  spec.pipeline_info.name = SanitizeK8sName(pipeline.name);
  spec.pipeline_info.display_name = pipeline.display_name.value_or("");
  spec.pipeline_info.description = pipeline.description;
  spec.root = std::move(compiled.root);
  spec.components = std::move(compiled.components);
  spec.executors = std::move(compiled.executors);
  document.platform.executors = std::move(compiled.platform);
  spec.sdk_version = "kfpc-" + options.kfpc_version;
  if (!options.kfp_target.empty()) spec.sdk_version += "+kfp-" + options.kfp_target;
  spec.default_pipeline_root = pipeline.pipeline_root.value_or("");
  return document;
}

}  // namespace kfpc::lower
