#include "compiler/passes/front_end.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include <set>
#include <tuple>

#include "compiler/images/image_reference.h"
#include "compiler/lower/lower.h"
#include "compiler/passes/project_config.h"
#include "compiler/passes/targets.h"
#include "compiler/passes/task_graph.h"

namespace kfpc::passes {

namespace {

namespace fs = std::filesystem;

// The `import_directories` of the kfpc.yaml that applies to `path`, made absolute. A config that
// cannot be read or parsed allows none, and its problems go to `config_sink`.
std::vector<std::string> ImportDirectories(const std::string& path, diag::SourceManager& sources,
                                           diag::DiagnosticSink& config_sink) {
  std::string config_path = FindProjectConfig(path);
  if (config_path.empty()) return {};
  ProjectConfig config;
  if (!LoadProjectConfig(config_path, sources, config_sink, &config)) return {};
  std::error_code error;
  fs::path base = fs::absolute(config_path, error).parent_path();
  std::vector<std::string> directories;
  for (const std::string& directory : config.import_directories) {
    directories.push_back((base / directory).lexically_normal().string());
  }
  return directories;
}

images::ImageUse* FindUse(std::vector<images::ImageUse>& uses, const std::string& reference) {
  for (images::ImageUse& use : uses) {
    if (use.reference == reference) return &use;
  }
  return nullptr;
}

// Adds the platform of each targeted task of `pipeline`, built as the entry pipeline, to the use
// of its image. Copies each diagnostic of the target choice to `sink` once over all pipelines.
void AddPlatforms(const sema::Program& program, const sema::Pipeline& pipeline,
                  const PassOptions& options, diag::DiagnosticSink& sink,
                  std::set<std::tuple<std::string, diag::FileId, uint32_t>>* reported,
                  std::vector<images::ImageUse>* uses) {
  ir::Document document = lower::Lower(program, pipeline, lower::LowerOptions{});
  TaskGraph graph = BuildTaskGraph(pipeline, document.pipeline);
  diag::DiagnosticSink choice_sink;
  TargetChoice targets =
      ChooseTargets(program, &pipeline, graph, options.target, options.config, choice_sink);
  for (const diag::Diagnostic& d : choice_sink.diagnostics()) {
    if (!reported->insert({d.message, d.span.file, d.span.begin}).second) continue;
    sink.Report(d.kind, d.severity, d.span, d.message) = d;
  }
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    const TargetProfile& profile = targets.Of(id);
    if (node.task == nullptr || node.executor_label.empty() || profile.IsNone()) continue;
    images::ImageUse* use = FindUse(*uses, node.task->component->image);
    if (use == nullptr) continue;
    std::string task_name =
        node.task->binding.empty() ? node.task->component->name : node.task->binding;
    use->platforms.emplace(profile.Platform(),
                           fmt::format("task `{}` has target `{}`", task_name, profile.name));
  }
}

}  // namespace

check::CheckResult CheckSource(const std::string& path, diag::FileId root,
                               check::CheckOptions options, const check::FileLoader& loader,
                               diag::SourceManager& sources, diag::DiagnosticSink& sink) {
  // The config is read into a scratch source manager, so that the passes, which read it again,
  // add it to `sources` once.
  diag::SourceManager config_sources;
  diag::DiagnosticSink config_sink;
  options.import_directories = ImportDirectories(path, config_sources, config_sink);
  check::CheckResult result = check::Check(sources, root, loader, sink, options);
  bool import_rejected = std::any_of(
      sink.diagnostics().begin(), sink.diagnostics().end(), [](const diag::Diagnostic& d) {
        return d.kind == diag::Kind::kImportOutsideProject;
      });
  if (import_rejected && config_sink.has_errors()) {
    ProjectConfig config;
    LoadProjectConfig(FindProjectConfig(path), sources, sink, &config);
  }
  return result;
}

bool PreparePassOptions(const std::string& root_source, const TargetFlags& flags,
                        diag::SourceManager& sources, diag::DiagnosticSink& sink,
                        PassOptions* options) {
  options->target = flags.target;
  options->require_lock = flags.require_lock;
  if (flags.kfp_backend) {
    options->kfp_backend = *flags.kfp_backend;
    options->kfp_backend_given = true;
  }
  std::string config_path = FindProjectConfig(root_source);
  if (!config_path.empty() && !LoadProjectConfig(config_path, sources, sink, &options->config)) {
    return false;
  }
  if (flags.lock_path) {
    options->lock_path = *flags.lock_path;
    options->lock_path_given = true;
  } else {
    options->lock_path = FindLockFile(root_source, config_path);
  }
  return true;
}

bool PassesApply(const PassOptions& options, const sema::Program& program) {
  if (options.target || options.config.default_target || options.kfp_backend_given) return true;
  // Without a target these only report that they pin nothing.
  if (options.require_lock || options.lock_path_given) return true;
  for (const auto& pipeline : program.pipelines) {
    if (pipeline->target) return true;
    // The workspace needs a backend that mounts it, and a pipeline that declares it.
    if (pipeline->workspace || pipeline->workspace_path_span.valid()) return true;
    for (const auto& task : pipeline->tasks) {
      // Kubernetes settings are checked against the default KFP backend (warnings only).
      if (task->target || !task->kubernetes.empty()) return true;
      // The backend's handling of such tasks is checked on the DAG that lowering writes.
      if (task->ignore_upstream_failure) return true;
    }
  }
  return false;
}

CheckedPasses CheckWithPasses(const std::string& root_source, const TargetFlags& flags,
                              const sema::Program& program, diag::SourceManager& sources,
                              diag::DiagnosticSink& sink) {
  CheckedPasses checked;
  if (!PreparePassOptions(root_source, flags, sources, sink, &checked.options)) return checked;
  checked.config_loaded = true;
  if (program.entry == nullptr || !PassesApply(checked.options, program)) return checked;
  ir::Document document = lower::Lower(program, *program.entry, lower::LowerOptions{});
  checked.result = RunPasses(program, document, checked.options, sources, sink);
  checked.ran = true;
  return checked;
}

CheckedPasses CheckEachPipelineWithPasses(const std::string& root_source, const TargetFlags& flags,
                                          sema::Program& program, diag::SourceManager& sources,
                                          diag::DiagnosticSink& sink) {
  if (program.entry != nullptr || program.roots.empty()) {
    return CheckWithPasses(root_source, flags, program, sources, sink);
  }
  CheckedPasses first;
  // kfpc.yaml and kfpc.lock are read once for all the pipelines.
  if (!PreparePassOptions(root_source, flags, sources, sink, &first.options)) return first;
  first.config_loaded = true;
  if (!PassesApply(first.options, program)) return first;
  first.options.lock_cache = std::make_shared<LockCache>();
  std::set<std::tuple<std::string, std::string, uint32_t, uint32_t>> reported;
  std::set<std::tuple<std::string, diag::FileId, uint32_t, uint32_t>> kept_keys;
  for (size_t i = 0; i < program.roots.size(); ++i) {
    program.entry = program.roots[i];
    diag::DiagnosticSink root_sink;
    ir::Document document = lower::Lower(program, *program.entry, lower::LowerOptions{});
    PassResult result = RunPasses(program, document, first.options, sources, root_sink);
    size_t left_out = root_sink.left_out();
    size_t left_out_errors = root_sink.left_out_errors();
    for (const diag::Diagnostic& d : root_sink.diagnostics()) {
      // The count of what the run left out is added below, not copied.
      if (d.kind == diag::Kind::kDiagnosticsLeftOut && left_out > 0) continue;
      std::string path = d.span.valid() ? sources.path(d.span.file) : "";
      if (!reported.insert({d.message, path, d.span.begin, d.span.end}).second) continue;
      sink.Report(d.kind, d.severity, d.span, d.message) = d;
    }
    // Left-out diagnostics cannot be compared with the others, so each counts, errors included.
    sink.CountLeftOut(left_out, left_out_errors);
    if (i == 0) {
      first.result = std::move(result);
      first.ran = true;
      continue;
    }
    // The keys of every root, so that the editor's hover finds the tasks of each pipeline. A
    // pipeline that two roots call gives the same key twice, which is kept once.
    first.result.any_target = first.result.any_target || result.any_target;
    if (kept_keys.empty()) {
      for (const TaskCacheKey& key : first.result.cache_keys) {
        kept_keys.insert({key.key, key.span.file, key.span.begin, key.span.end});
      }
    }
    for (TaskCacheKey& key : result.cache_keys) {
      if (kept_keys.insert({key.key, key.span.file, key.span.begin, key.span.end}).second) {
        first.result.cache_keys.push_back(std::move(key));
      }
    }
  }
  program.entry = nullptr;
  return first;
}

void CollectImageUses(const sema::Program& program, const PassOptions& options,
                      diag::DiagnosticSink& sink, std::vector<images::ImageUse>* uses) {
  for (const auto& component : program.components) {
    bool has_image = component->kind == sema::Component::Kind::kContainer ||
                     component->kind == sema::Component::Kind::kPython;
    if (!has_image || component->image.empty() || images::IsKfpBackendImage(component->image)) {
      continue;
    }
    if (images::ImageUse* use = FindUse(*uses, component->image)) {
      if (component->image_span.valid()) use->other_uses.push_back(component->image_span);
      continue;
    }
    uses->emplace_back(component->image);
    uses->back().span = component->image_span;
  }
  if (!PassesApply(options, program)) return;
  std::set<std::tuple<std::string, diag::FileId, uint32_t>> reported;
  for (const auto& pipeline : program.pipelines) {
    AddPlatforms(program, *pipeline, options, sink, &reported, uses);
  }
}

}  // namespace kfpc::passes
