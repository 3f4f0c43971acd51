#pragma once

// Executors of container and Python components, with a task's env and resource settings, and of
// importers.

#include <map>
#include <string>
#include <string_view>

#include "compiler/sema/program.h"
#include "runtime/ir/pipeline_spec.h"

namespace kfpc::lower {

// Builds the executor container of one task: the component's image, command and args, and the
// task's env variables and resources. `kfp_version` is pinned in Python components' bootstrap.
// `runtime_resources` maps each of the task's runtime_resources to the placeholder of the task
// input that carries it, such as "{{$.inputs.parameters['pipelinechannel--sizes-Output']}}".
ir::ContainerSpec BuildContainer(const sema::Task& task, std::string_view kfp_version,
                                 const std::map<std::string, std::string>& runtime_resources = {});

// Builds the importer executor of a task whose component is an importer: the `uri` argument as
// `artifactUri.constant` when it is a constant, otherwise as the runtime parameter `uri`.
ir::ImporterSpec BuildImporter(const sema::Task& task);

// Converts a CPU quantity ("500m", "2") to cores, as the SDK's _cpu_to_float does.
double CpuToFloat(const std::string& cpu);

// Converts a memory quantity ("16Gi", "512M", "1000") to gigabytes (10^9 bytes), as the SDK's
// _memory_to_float does.
double MemoryToFloat(const std::string& memory);

}  // namespace kfpc::lower
