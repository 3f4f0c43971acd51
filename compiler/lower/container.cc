#include "compiler/lower/container.h"

#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/lower/definitions.h"
#include "compiler/lower/placeholders.h"
#include "compiler/lower/python_component.h"

namespace kfpc::lower {
namespace {

std::vector<std::string> ToStrings(const std::vector<sema::CommandArg>& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const sema::CommandArg& arg : args) out.push_back(CommandArgToString(arg));
  return out;
}

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double ParseNumber(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// The SDK keeps env in a dict: a repeated name keeps its first position and takes the last value.
std::vector<ir::EnvVar> ToEnv(const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<ir::EnvVar> out;
  std::unordered_map<std::string_view, size_t> position;  // name -> index in `out`
  for (const auto& [name, value] : env) {
    auto [it, inserted] = position.try_emplace(name, out.size());
    if (inserted) {
      out.push_back(ir::EnvVar{name, value});
    } else {
      out[it->second].value = value;
    }
  }
  return out;
}

// The SDK writes each constant quantity twice: as given in the resource* string field, and
// converted in the deprecated numeric field. A value read at run time has only the string field,
// which contains the placeholder from `runtime`.
ir::Resources ToResources(const sema::Task& task,
                          const std::map<std::string, std::string>& runtime) {
  ir::Resources resources;
  auto quantity = [&](const std::string& name, const std::optional<std::string>& constant,
                      double (*convert)(const std::string&), std::string& text,
                      std::optional<double>& number) {
    if (auto it = runtime.find(name); it != runtime.end()) {
      text = it->second;
    } else if (constant) {
      text = *constant;
      number = convert(*constant);
    }
  };
  quantity("cpu_request", task.cpu_request, CpuToFloat, resources.resource_cpu_request,
           resources.cpu_request);
  quantity("cpu_limit", task.cpu_limit, CpuToFloat, resources.resource_cpu_limit,
           resources.cpu_limit);
  quantity("memory_request", task.memory_request, MemoryToFloat, resources.resource_memory_request,
           resources.memory_request);
  quantity("memory_limit", task.memory_limit, MemoryToFloat, resources.resource_memory_limit,
           resources.memory_limit);
  // set_accelerator_type implies a count of 1, and a count without a type writes no type fields.
  auto runtime_type = runtime.find("accelerator_type");
  auto runtime_count = runtime.find("accelerator_count");
  bool has_type = task.accelerator_type || runtime_type != runtime.end();
  bool has_count = task.accelerator_count || runtime_count != runtime.end();
  if (has_type || has_count) {
    ir::Accelerator accelerator;
    if (runtime_count != runtime.end()) {
      accelerator.resource_count = runtime_count->second;
    } else {
      int64_t count = task.accelerator_count.value_or(1);
      accelerator.count = count;
      accelerator.resource_count = std::to_string(count);
    }
    if (runtime_type != runtime.end()) {
      accelerator.resource_type = runtime_type->second;
    } else if (task.accelerator_type) {
      accelerator.type = *task.accelerator_type;
      accelerator.resource_type = *task.accelerator_type;
    }
    resources.accelerator = accelerator;
  }
  return resources;
}

}  // namespace

double CpuToFloat(const std::string& cpu) {
  if (EndsWith(cpu, "m")) return ParseNumber(cpu.substr(0, cpu.size() - 1)) / 1000;
  return ParseNumber(cpu);
}

double MemoryToFloat(const std::string& memory) {
  constexpr double kGiga = 1e9;
  // The binary suffixes ("Gi") are tried before the decimal ones ("G").
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"Ei", 1152921504606846976.0}, {"Pi", 1125899906842624.0}, {"Ti", 1099511627776.0},
      {"Gi", 1073741824.0},          {"Mi", 1048576.0},           {"Ki", 1024.0},
      {"E", 1e18},                   {"P", 1e15},                 {"T", 1e12},
      {"G", 1e9},                    {"M", 1e6},                  {"K", 1e3},
  };
  for (const auto& [suffix, factor] : kUnits) {
    if (!EndsWith(memory, suffix)) continue;
    double number = ParseNumber(memory.substr(0, memory.size() - suffix.size()));
    // The SDK returns gigabytes as given, without multiplying and dividing.
    if (suffix == "G") return number;
    return number * factor / kGiga;
  }
  return ParseNumber(memory) / kGiga;
}

ir::ContainerSpec BuildContainer(const sema::Task& task, std::string_view kfp_version,
                                 const std::map<std::string, std::string>& runtime_resources) {
  const sema::Component& component = *task.component;
  ir::ContainerSpec container;
  if (component.kind == sema::Component::Kind::kPython && component.python) {
    container.image = component.image.empty() ? std::string(kDefaultPythonImage) : component.image;
    container.command = PythonCommand(*component.python, kfp_version);
    container.args = PythonArgs(*component.python);
  } else {
    container.image = component.image;
    container.command = ToStrings(component.command);
    container.args = ToStrings(component.args);
  }
  container.env = ToEnv(task.env);
  container.resources = ToResources(task, runtime_resources);
  return container;
}

ir::ImporterSpec BuildImporter(const sema::Task& task) {
  ir::ImporterSpec importer;
  for (const sema::Argument& argument : task.arguments) {
    if (argument.input_name != "uri") continue;
    const auto* uri = std::get_if<std::string>(&argument.value.constant.value);
    if (argument.value.kind == sema::ValueRef::Kind::kConstant && uri != nullptr) {
      importer.artifact_uri_constant = *uri;
    } else {
      importer.artifact_uri_runtime_parameter = "uri";
    }
  }
  const sema::Component& component = *task.component;
  if (!component.outputs.empty()) {
    importer.type_schema = ToArtifactSchema(component.outputs.front().type.artifact);
  }
  if (component.importer) {
    importer.reimport = component.importer->reimport;
    if (component.importer->metadata) importer.metadata = ToValue(*component.importer->metadata);
  }
  return importer;
}

}  // namespace kfpc::lower
