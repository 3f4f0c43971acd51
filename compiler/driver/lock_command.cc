// `kfpc lock`: resolves the images that .kf files use and writes the lock file. It is the only
// command that contacts registries.
#include "compiler/images/lock_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <regex>
#include <set>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/images/lock_file.h"
#include "compiler/passes/front_end.h"
#include "compiler/passes/passes.h"
#include "compiler/passes/project_config.h"

namespace kfpc::driver {

namespace {

cxxopts::Options LockCommandOptions() {
  cxxopts::Options options(
      "kfpc lock",
      "Resolves the container images of .kf files, with everything they import, and writes\n"
      "their digests to kfpc.lock beside the first file. Without files, works on the images\n"
      "already in the lock file; --update resolves them again. Each image must offer the\n"
      "platform of the target of every task that runs it (linux/arm64 for graviton4).\n"
      "Contacts the registry of each image; a Docker Hub name goes to registry-1.docker.io.\n");
  options.custom_help(
      "[FILE.kf...] [--lock FILE] [--target NAME] [--update] [--prune]\n"
      "         [--insecure-registry HOST:PORT]");
  options.add_options()(
      "lock", "write FILE instead of the kfpc.lock that the build of the first file reads",
      cxxopts::value<std::string>(),
      "FILE")("update", "resolve images that the lock file already has again")(
      "prune", "remove lock entries for images the files no longer use")(
      "target", "target of tasks without a `target` setting, as for `kfpc build`",
      cxxopts::value<std::string>(),
      "NAME")("insecure-registry",
              "reach HOST:PORT over plain HTTP; loopback hosts (localhost, 127.0.0.0/8, [::1]) use "
              "plain HTTP without it",
              cxxopts::value<std::vector<std::string>>(),
              "HOST:PORT")("h,help", "print this help and exit");
  return options;
}

// Returns the exit status for a failed lock: I/O problems are 2, everything else 1.
int FailureStatus(const diag::DiagnosticSink& sink) {
  for (const diag::Diagnostic& d : sink.diagnostics()) {
    if (d.kind == diag::Kind::kReadFailed || d.kind == diag::Kind::kWriteFailed) {
      return kExitUsageOrIo;
    }
  }
  return kExitInputErrors;
}

}  // namespace

// The lock file that `kfpc build` reads for `file`: beside it, else beside the project's
// kfpc.yaml. A new one goes beside kfpc.yaml, where every file of the project finds it, or
// beside the file when there is no kfpc.yaml.
static std::string LockFileFor(const std::string& file) {
  std::string config_path = passes::FindProjectConfig(file);
  std::string path = passes::FindLockFile(file, config_path);
  if (!path.empty()) return path;
  std::error_code error;
  std::filesystem::path directory = config_path.empty()
                                        ? std::filesystem::absolute(file, error).parent_path()
                                        : std::filesystem::path(config_path).parent_path();
  return (directory / images::kLockFileName).string();
}

int RunLockCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  cxxopts::Options options = LockCommandOptions();
  std::optional<cxxopts::ParseResult> parsed = ParseArguments(options, args, err);
  if (!parsed) return kExitUsageOrIo;
  if (parsed->count("help") > 0) {
    out << HelpText(options);
    return kExitSuccess;
  }
  const std::vector<std::string>& files = parsed->unmatched();
  images::LockOptions lock_options;
  lock_options.update = parsed->count("update") > 0;
  lock_options.prune = parsed->count("prune") > 0;
  if (parsed->count("insecure-registry") > 0) {
    lock_options.insecure_registries = (*parsed)["insecure-registry"].as<std::vector<std::string>>();
    // Compared with each image's registry as written, so only `HOST:PORT` can ever match, and
    // a port with a leading zero never does.
    static const std::regex kAuthority(
        R"((\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([1-9][0-9]{0,4}))");
    for (const std::string& registry : lock_options.insecure_registries) {
      std::smatch match;
      bool valid = std::regex_match(registry, match, kAuthority) &&
                   std::stoi(match[3].str()) >= 1 && std::stoi(match[3].str()) <= 65535;
      if (!valid) {
        return ReportUsageError(
            err, fmt::format("invalid `--insecure-registry` value `{}`", registry),
            options.program(),
            "write the registry as `HOST:PORT`, as in image references, such as "
            "`registry.local:5000`, without a scheme or path");
      }
    }
  }
  if (parsed->count("lock") > 0) {
    lock_options.lock_path = (*parsed)["lock"].as<std::string>();
  } else if (!files.empty()) {
    lock_options.lock_path = LockFileFor(files[0]);
  }

  std::error_code exists_error;
  if (files.empty() && !std::filesystem::exists(lock_options.lock_path, exists_error)) {
    return ReportUsageError(
        err, fmt::format("missing input file, and there is no `{}` to refresh",
                         lock_options.lock_path),
        options.program());
  }

  passes::TargetFlags target_flags;
  if (parsed->count("target") > 0) target_flags.target = (*parsed)["target"].as<std::string>();

  // One source manager for every file, so that lock errors can point at the image settings.
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  int status = kExitSuccess;
  for (const std::string& file : files) {
    check::CheckResult result;
    status = std::max(status, CheckFile(file, check::OptionsWithoutEntry(), sources, &result, err));
    if (!result.program) continue;
    passes::PassOptions pass_options;
    if (passes::PreparePassOptions(file, target_flags, sources, sink, &pass_options)) {
      passes::CollectImageUses(*result.program, pass_options, sink, &lock_options.images);
    }
  }
  if (sink.has_errors()) {
    err << diag::RenderAll(sources, sink.diagnostics());
    return kExitInputErrors;
  }
  if (status != kExitSuccess) return status;
  lock_options.images_from_files = !files.empty();
  if (parsed->count("lock") == 0) {
    // One run writes one lock file, which the builds of files that read another do not see.
    std::error_code error;
    std::filesystem::path written =
        std::filesystem::weakly_canonical(lock_options.lock_path, error);
    for (const std::string& file : files) {
      std::string own = LockFileFor(file);
      if (std::filesystem::weakly_canonical(own, error) == written) continue;
      diag::Diagnostic& d =
          sink.Report(diag::Kind::kLockFilesDiffer, diag::Span{},
                      fmt::format("`{}` reads the lock file `{}`, but this run writes `{}`", file,
                                  own, lock_options.lock_path));
      d.help = "run `kfpc lock` once for the files of each lock file";
    }
  }
  if (!files.empty() && lock_options.images.empty() && !lock_options.prune) {
    err << diag::RenderAll(sources, sink.diagnostics());
    out << "no images to lock\n";
    return kExitSuccess;
  }

  std::string report;
  bool locked = images::RunLock(lock_options, sources, sink, &report);
  out << report;
  err << diag::RenderAll(sources, sink.diagnostics());
  return locked ? kExitSuccess : FailureStatus(sink);
}

}  // namespace kfpc::driver
