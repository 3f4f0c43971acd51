#include "compiler/passes/cache_key.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <map>

#include "compiler/images/image_reference.h"
#include "compiler/passes/platform_config.h"

namespace kfpc::passes {

namespace {

// Appends `name=<length>:<value>` lines, so that no two different inputs encode the same way.
class Encoder {
 public:
  explicit Encoder(std::string_view kind) { Add("encoding", kCacheKeyEncoding); Add("kind", kind); }
  void Add(std::string_view name, std::string_view value) {
    text_ += fmt::format("{}={}:{}\n", name, value.size(), value);
  }
  std::string Sha256() const {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text_.data(), text_.size(), digest, &size, EVP_sha256(), nullptr);
    std::string hex = "sha256:";
    for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
  }

 private:
  std::string text_;
};

void EncodeInterface(const ir::ComponentSpec& component, Encoder& encoder) {
  for (const auto& [name, input] : component.input_definitions.parameters) {
    encoder.Add("input-parameter", fmt::format("{} {} optional={} default={}", name,
                                               ir::ParameterTypeName(input.parameter_type),
                                               input.is_optional,
                                               input.default_value
                                                   ? CanonicalJson(*input.default_value)
                                                   : "none"));
  }
  for (const auto& [name, input] : component.input_definitions.artifacts) {
    encoder.Add("input-artifact", fmt::format("{} {}@{} list={} optional={}", name,
                                              input.artifact_type.schema_title,
                                              input.artifact_type.schema_version,
                                              input.is_artifact_list, input.is_optional));
  }
  for (const auto& [name, output] : component.output_definitions.parameters) {
    encoder.Add("output-parameter",
                fmt::format("{} {}", name, ir::ParameterTypeName(output.parameter_type)));
  }
  for (const auto& [name, output] : component.output_definitions.artifacts) {
    encoder.Add("output-artifact", fmt::format("{} {}@{} list={}", name,
                                               output.artifact_type.schema_title,
                                               output.artifact_type.schema_version,
                                               output.is_artifact_list));
  }
}

void EncodeContainer(const ir::ContainerSpec& container, Encoder& encoder,
                     std::vector<std::string>* covers) {
  encoder.Add("image", container.image);
  for (const std::string& part : container.command) encoder.Add("command", part);
  for (const std::string& part : container.args) encoder.Add("args", part);
  for (const ir::EnvVar& env : container.env) encoder.Add("env", env.name + "=" + env.value);
  covers->push_back(fmt::format("image `{}`", container.image));
  covers->push_back(fmt::format("command and args ({} parts)",
                                container.command.size() + container.args.size()));
  if (!container.env.empty()) {
    std::vector<std::string> names;
    for (const ir::EnvVar& env : container.env) names.push_back("`" + env.name + "`");
    covers->push_back(fmt::format("environment {}", fmt::join(names, ", ")));
  }
}

// Returns the type of input `name` as its component declares it.
std::string InputType(const ir::ComponentSpec& component, const std::string& name, bool artifact) {
  if (artifact) {
    auto it = component.input_definitions.artifacts.find(name);
    return it == component.input_definitions.artifacts.end()
               ? "artifact"
               : it->second.artifact_type.schema_title;
  }
  auto it = component.input_definitions.parameters.find(name);
  return it == component.input_definitions.parameters.end()
             ? "parameter"
             : ir::ParameterTypeName(it->second.parameter_type);
}

struct InputSummary {
  std::vector<std::string> constants, upstream, runtime;
  // Kubernetes fields that name a PVC, Secret or ConfigMap only at run time.
  std::vector<std::string> runtime_kubernetes;
};

// The Kubernetes fields that choose the data a task reads: the PVCs, Secrets and ConfigMaps it
// mounts or reads. The backend's own fingerprint covers PVC names, and a static key replaces it.
constexpr std::string_view kDataSourceFields[] = {"pvcMount", "secretAsEnv", "secretAsVolume",
                                                  "configMapAsEnv", "configMapAsVolume"};

// Whether `value` is known only at run time, because it reads a pipeline input or a task output
// (as `pvcNameParameter` does for a PVC that an earlier task creates) or contains a run
// placeholder.
bool ReadsRuntimeValue(const ir::Value& value) {
  // A run placeholder, such as `{{$.pipeline_job_name}}`, which the backend fills in per run.
  if (const auto* text = std::get_if<std::string>(&value.kind)) {
    return text->find("{{$") != std::string::npos;
  }
  if (const auto* fields = std::get_if<ir::Value::Struct>(&value.kind)) {
    for (const auto& [name, field] : *fields) {
      if (name == "componentInputParameter" || name == "taskOutputParameter" ||
          ReadsRuntimeValue(field)) {
        return true;
      }
    }
  } else if (const auto* items = std::get_if<ir::Value::List>(&value.kind)) {
    for (const ir::Value& item : *items) {
      if (ReadsRuntimeValue(item)) return true;
    }
  }
  return false;
}

void EncodeDataSources(const ir::Value* config, Encoder& encoder, InputSummary* summary,
                       std::vector<std::string>* covers) {
  const auto* fields = config ? std::get_if<ir::Value::Struct>(&config->kind) : nullptr;
  if (fields == nullptr) return;
  std::vector<std::string> names;
  for (std::string_view name : kDataSourceFields) {
    auto field = fields->find(std::string(name));
    if (field == fields->end()) continue;
    encoder.Add("kubernetes", fmt::format("{}={}", name, CanonicalJson(field->second)));
    names.push_back(fmt::format("`{}`", name));
    if (ReadsRuntimeValue(field->second)) summary->runtime_kubernetes.push_back(names.back());
  }
  if (!names.empty())
    covers->push_back("Kubernetes fields " + fmt::format("{}", fmt::join(names, ", ")));
}

void EncodeInputs(const TaskNode& node, const std::map<std::string, std::string>& keys,
                  Encoder& encoder, InputSummary* summary) {
  auto encode = [&](const std::string& name, const InputSource& source, bool artifact) {
    switch (source.kind) {
      case InputSource::Kind::kConstant:
        encoder.Add("constant", name + "=" + source.constant);
        summary->constants.push_back("`" + name + "`");
        break;
      case InputSource::Kind::kUpstream: {
        auto key = keys.find(source.upstream);
        encoder.Add("upstream", fmt::format("{}={}/{}", name,
                                            key == keys.end() ? source.upstream : key->second,
                                            source.output));
        summary->upstream.push_back("`" + name + "`");
        break;
      }
      case InputSource::Kind::kRuntime:
        encoder.Add("runtime", name + " " + InputType(*node.component, name, artifact));
        summary->runtime.push_back("`" + name + "`");
        break;
    }
  };
  for (const auto& [name, source] : node.parameters) encode(name, source, false);
  for (const auto& [name, source] : node.artifacts) encode(name, source, true);
}

std::string Join(const std::vector<std::string>& items) { return fmt::format("{}", fmt::join(items, ", ")); }

// Computes one executor node's key and what it covers.
TaskCacheKey KeyOf(const TaskNode& node, const TargetProfile& profile,
                   const ir::ExecutorSpec& executor, const ir::Value* platform_config,
                   const std::map<std::string, std::string>& keys, InputSummary* summary) {
  TaskCacheKey result;
  result.task = node.id;
  result.executor = node.executor_label;
  result.target = profile.name;
  Encoder encoder("task");
  EncodeInterface(*node.component, encoder);
  result.covers.push_back("component interface");
  if (executor.container) EncodeContainer(*executor.container, encoder, &result.covers);
  std::string platform = profile.IsNone() ? "unspecified" : profile.Platform();
  result.platform = platform;
  if (node.task) result.span = node.task->span;
  encoder.Add("platform", platform);
  result.covers.push_back("platform " + platform);
  EncodeInputs(node, keys, encoder, summary);
  if (!summary->constants.empty()) result.covers.push_back("constant inputs " + Join(summary->constants));
  if (!summary->upstream.empty()) {
    result.covers.push_back("upstream task keys for " + Join(summary->upstream));
  }
  if (!summary->runtime.empty()) {
    result.covers.push_back("names and types of runtime inputs " + Join(summary->runtime));
  }
  EncodeDataSources(platform_config, encoder, summary, &result.covers);
  if (node.task && node.task->cache_salt) {
    encoder.Add("salt", *node.task->cache_salt);
    result.covers.push_back("cache salt");
  }
  result.key = encoder.Sha256();
  return result;
}

// Returns why `cachingOptions.cacheKey` cannot be written, or an empty string when it can.
std::string StaticKeyObstacle(const TaskNode& node, const InputSummary& summary,
                              const KfpVersion& backend) {
  if (!node.spec->caching_options || !node.spec->caching_options->enable_cache) {
    return "caching is off for the task";
  }
  if (!summary.upstream.empty() || !summary.runtime.empty()) {
    std::vector<std::string> names = summary.upstream;
    names.insert(names.end(), summary.runtime.begin(), summary.runtime.end());
    return "inputs known only at run time: " + Join(names);
  }
  if (!summary.runtime_kubernetes.empty()) {
    return "a PVC, Secret or ConfigMap named only at run time in " +
           Join(summary.runtime_kubernetes);
  }
  if (!HonoursCustomCacheKey(backend)) {
    return fmt::format("KFP backend {} ignores `cachingOptions.cacheKey`", backend.ToString());
  }
  return "";
}

// Finds the task at graph id `id` ("root/a/b") in the pipeline's DAGs.
ir::TaskSpec* FindTask(ir::PipelineSpec& spec, const std::string& id) {
  ir::Dag* dag = spec.root.dag ? &*spec.root.dag : nullptr;
  ir::TaskSpec* task = nullptr;
  size_t begin = id.find('/');
  while (dag && begin != std::string::npos) {
    size_t end = id.find('/', begin + 1);
    auto it = dag->tasks.find(id.substr(begin + 1, end == std::string::npos ? end : end - begin - 1));
    if (it == dag->tasks.end()) return nullptr;
    task = &it->second;
    auto component = spec.components.find(task->component_ref);
    dag = component != spec.components.end() && component->second.dag ? &*component->second.dag
                                                                        : nullptr;
    begin = end;
  }
  return begin == std::string::npos ? task : nullptr;
}

std::string GroupKey(const TaskNode& node, const std::map<std::string, std::string>& keys) {
  Encoder encoder("group");
  InputSummary ignored;
  EncodeInputs(node, keys, encoder, &ignored);
  for (const std::string& member : node.members) {
    auto key = keys.find(member);
    encoder.Add("member", member + "=" + (key == keys.end() ? "none" : key->second));
  }
  return encoder.Sha256();
}

}  // namespace

std::vector<TaskCacheKey> AssignCacheKeys(const TaskGraph& graph, const TargetChoice& targets,
                                          const KfpVersion& backend, ir::Document& document) {
  std::map<std::string, std::string> keys;
  std::vector<TaskCacheKey> results;
  std::map<std::string, std::vector<size_t>> by_executor;
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    auto executor = document.pipeline.executors.find(node.executor_label);
    if (node.executor_label.empty() || executor == document.pipeline.executors.end()) {
      keys[id] = GroupKey(node, keys);
      continue;
    }
    InputSummary summary;
    const TargetProfile& profile = targets.Of(id);
    auto config = document.platform.executors.find(node.executor_label);
    const ir::Value* platform_config =
        config == document.platform.executors.end() ? nullptr : &config->second;
    TaskCacheKey result = KeyOf(node, profile, executor->second, platform_config, keys, &summary);
    keys[id] = result.key;
    if (!executor->second.container) {
      // An importer runs none of the pipeline's containers: no placement, and no annotation.
      result.static_key_reason = "an importer runs no container";
    } else if (!profile.IsNone()) {
      result.static_key_reason = StaticKeyObstacle(node, summary, backend);
      ir::TaskSpec* task = result.static_key_reason.empty() ? FindTask(document.pipeline, id) : nullptr;
      if (task) {
        task->caching_options->cache_key = result.key;
        result.static_key = true;
      }
      by_executor[node.executor_label].push_back(results.size());
    } else if (executor->second.container &&
               images::IsKfpBackendImage(executor->second.container->image)) {
      result.static_key_reason = fmt::format("the KFP backend runs `{}` itself, without a pod",
                                             executor->second.container->image);
    } else {
      result.static_key_reason = "the task has no target";
    }
    results.push_back(std::move(result));
  }
  // One annotation per executor: tasks that share an executor must agree on the key. A backend
  // that cannot read `podMetadata` would drop the whole platform spec, placement included, for
  // an annotation that only audits read.
  std::optional<KfpVersion> pod_metadata = FirstVersionReading("podMetadata");
  if (pod_metadata && backend < *pod_metadata) by_executor.clear();
  for (const auto& [executor, indices] : by_executor) {
    bool same = true;
    for (size_t index : indices) same = same && results[index].key == results[indices[0]].key;
    if (!same) continue;
    ir::Value::Struct& config = ExecutorConfig(document, executor);
    ChildStruct(ChildStruct(config, "podMetadata"), "annotations")[std::string(kCacheKeyAnnotation)] =
        ir::Value::String(results[indices[0]].key);
    for (size_t index : indices) results[index].annotated = true;
  }
  return results;
}

std::string FormatCacheReport(const std::vector<TaskCacheKey>& keys) {
  std::string out;
  for (const TaskCacheKey& key : keys) {
    out += fmt::format("task {} (executor {}, target {})\n", key.task, key.executor, key.target);
    out += fmt::format("  key: {}\n", key.key);
    out += fmt::format("  covers: {}\n", Join(key.covers));
    out += fmt::format("  annotation {}: {}\n", kCacheKeyAnnotation,
                       key.annotated ? "written" : "not written");
    out += key.static_key ? std::string("  cachingOptions.cacheKey: written\n")
                          : fmt::format("  cachingOptions.cacheKey: not written, {}\n",
                                        key.static_key_reason);
  }
  return out;
}

}  // namespace kfpc::passes
