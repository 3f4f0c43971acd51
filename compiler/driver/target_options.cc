#include "compiler/driver/target_options.h"

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/lower/lower.h"

namespace kfpc::driver {

void AddTargetOptions(cxxopts::Options& options) {
  options.add_options()
      ("target", "place tasks on target NAME: graviton4, arm64, amd64, none (the default) or a "
                 "profile from kfpc.yaml",
       cxxopts::value<std::string>(), "NAME")
      ("kfp-backend", "version X.Y of the KFP backend that runs the pipeline; Kubernetes fields "
                      "it cannot read are errors (default 2.14)",
       cxxopts::value<std::string>(), "X.Y")
      ("lock", "pin images from FILE instead of the kfpc.lock beside the source",
       cxxopts::value<std::string>(), "FILE")
      ("require-lock", "report an image missing from the lock file as an error, not a warning");
}

bool ReadTargetFlags(const cxxopts::ParseResult& parsed, std::string_view help, TargetFlags* flags,
                     std::ostream& err) {
  if (parsed.count("target") > 0) flags->target = parsed["target"].as<std::string>();
  if (parsed.count("lock") > 0) flags->lock_path = parsed["lock"].as<std::string>();
  flags->require_lock = parsed.count("require-lock") > 0;
  if (parsed.count("kfp-backend") > 0) {
    std::string text = parsed["kfp-backend"].as<std::string>();
    flags->kfp_backend = passes::ParseKfpVersion(text);
    if (!flags->kfp_backend) {
      ReportUsageError(
          err, fmt::format("invalid `--kfp-backend` value `{}`: expected a version such as 2.14",
                           text),
          help);
      return false;
    }
  }
  return true;
}

bool PreparePassOptions(const std::string& root_source, const TargetFlags& flags,
                        diag::SourceManager& sources, diag::DiagnosticSink& sink,
                        passes::PassOptions* options) {
  options->target = flags.target;
  options->require_lock = flags.require_lock;
  if (flags.kfp_backend) {
    options->kfp_backend = *flags.kfp_backend;
    options->kfp_backend_given = true;
  }
  std::string config_path = passes::FindProjectConfig(root_source);
  if (!config_path.empty() &&
      !passes::LoadProjectConfig(config_path, sources, sink, &options->config)) {
    return false;
  }
  if (flags.lock_path) {
    options->lock_path = *flags.lock_path;
    options->lock_path_given = true;
  } else {
    options->lock_path = passes::FindLockFile(root_source, config_path);
  }
  return true;
}

bool PassesApply(const passes::PassOptions& options, const sema::Program& program) {
  if (options.target || options.config.default_target || options.kfp_backend_given) return true;
  for (const auto& pipeline : program.pipelines) {
    if (pipeline->target) return true;
    for (const auto& task : pipeline->tasks) {
      if (task->target) return true;
    }
  }
  return false;
}

void CheckWithPasses(const std::string& root_source, const TargetFlags& flags,
                     const sema::Program& program, diag::SourceManager& sources,
                     diag::DiagnosticSink& sink) {
  passes::PassOptions options;
  if (!PreparePassOptions(root_source, flags, sources, sink, &options)) return;
  if (program.entry == nullptr || !PassesApply(options, program)) return;
  ir::Document document = lower::Lower(program, *program.entry, lower::LowerOptions{});
  passes::RunPasses(program, document, options, sources, sink);
}

}  // namespace kfpc::driver
