#include "compiler/passes/passes.h"

#include <filesystem>

#include "compiler/images/lock_file.h"
#include "compiler/passes/backend_features.h"
#include "compiler/passes/image_pin.h"
#include "compiler/passes/placement.h"
#include "compiler/passes/targets.h"
#include "compiler/passes/task_graph.h"

namespace kfpc::passes {

namespace {

// Loads the lock file when there is one. Returns false after reporting a broken or, when it was
// named on the command line, missing file.
bool LoadLock(const PassOptions& options, diag::SourceManager& sources,
              diag::DiagnosticSink& sink, std::optional<images::LockFile>* lock) {
  if (options.lock_path.empty()) return true;
  std::error_code error;
  if (!options.lock_path_given && !std::filesystem::exists(options.lock_path, error)) return true;
  images::LockFile loaded;
  if (!images::LoadLockFile(options.lock_path, sources, sink, &loaded)) return false;
  *lock = std::move(loaded);
  return true;
}

// `--require-lock` and `--lock` in a build where no task has a target would check nothing, which
// in CI would pass a pipeline whose images are not pinned.
void ReportLockWithoutTarget(const PassOptions& options, diag::DiagnosticSink& sink) {
  std::string flag =
      options.require_lock ? "`--require-lock`" : "`--lock " + options.lock_path + "`";
  diag::Diagnostic& d = sink.Report(
      diag::Kind::kLockWithoutTarget,
      options.require_lock ? diag::Severity::kError : diag::Severity::kWarning, diag::Span{},
      flag +
          " pins no image: only the images of tasks with a target are pinned, and no task "
          "has one");
  d.help =
      "give a target, such as `--target graviton4`, or set `target` in the pipeline or "
      "`default_target` in kfpc.yaml";
}

}  // namespace

PassResult RunPasses(const sema::Program& program, ir::Document& document,
                     const PassOptions& options, diag::SourceManager& sources,
                     diag::DiagnosticSink& sink) {
  PassResult result;
  if (program.entry == nullptr) return result;
  TaskGraph graph = BuildTaskGraph(*program.entry, document.pipeline);
  size_t errors_before = sink.error_count();
  TargetChoice targets = ChooseTargets(program, graph, options.target, options.config, sink);
  if (sink.error_count() > errors_before) return result;
  result.any_target = targets.AnyTarget();
  if (!result.any_target && (options.require_lock || options.lock_path_given)) {
    ReportLockWithoutTarget(options, sink);
  }

  if (result.any_target) {
    PlaceExecutors(graph, targets, document, sink);
    LockCache own_cache;
    LockCache& cache = options.lock_cache ? *options.lock_cache : own_cache;
    if (!cache.loaded) {
      cache.usable = LoadLock(options, sources, sink, &cache.lock);
      cache.loaded = true;
    }
    if (cache.usable) {
      ImagePinOptions pin_options;
      pin_options.lock = cache.lock ? &*cache.lock : nullptr;
      pin_options.require_lock = options.require_lock;
      pin_options.lock_path = options.lock_path;
      pin_options.lock_path_given = options.lock_path_given;
      PinImages(graph, targets, pin_options, document, sink);
    }
  }
  // With a target or `--kfp-version`, a field that the backend cannot read is an error. Without
  // either, the same check against the default backend gives warnings: the output is then the
  // KFP SDK's, which does not check, but the user learns that the backend drops the platform spec.
  bool strict = result.any_target || options.kfp_backend_given;
  diag::Severity severity = strict ? diag::Severity::kError : diag::Severity::kWarning;
  CheckPlatformFields(graph, options.kfp_backend, severity, document, sink);
  CheckWorkspace(*program.entry, options.kfp_backend, severity, sink);
  CheckRuntimeResources(*program.entry, options.kfp_backend, severity, sink);
  CheckUpstreamFailureHooks(graph, sink);
  // Keys are computed after pinning, so that they cover the digest.
  result.cache_keys = AssignCacheKeys(graph, targets, options.kfp_backend, document);
  return result;
}

std::string FindLockFile(const std::string& root_source, const std::string& config_path) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path beside_source = fs::absolute(root_source, error).parent_path() / images::kLockFileName;
  if (fs::exists(beside_source, error)) return beside_source.string();
  if (!config_path.empty()) {
    fs::path beside_config = fs::path(config_path).parent_path() / images::kLockFileName;
    if (fs::exists(beside_config, error)) return beside_config.string();
  }
  return "";
}

}  // namespace kfpc::passes
