// `kfpc lock`: resolves the images that .kf files use and writes the lock file. It is the only
// command that contacts registries.
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/images/lock_command.h"
#include "compiler/images/lock_file.h"

namespace kfpc::driver {

namespace {

cxxopts::Options LockCommandOptions() {
  cxxopts::Options options(
      "kfpc lock",
      "Resolves the container images of .kf files, with everything they import, and writes\n"
      "their digests to kfpc.lock beside the first file. Without files, works on the images\n"
      "already in the lock file; --update resolves them again. Every image must offer\n"
      "linux/arm64.\n");
  options.custom_help("[FILE.kf...] [--update] [--prune] [--insecure-registry HOST:PORT]");
  options.add_options()
      ("lock", "write FILE instead of kfpc.lock beside the first source file",
       cxxopts::value<std::string>(), "FILE")
      ("update", "resolve images that the lock file already has again")
      ("prune", "remove lock entries for images the files no longer use")
      ("insecure-registry", "reach HOST:PORT over plain HTTP (a loopback test registry)",
       cxxopts::value<std::vector<std::string>>(), "HOST:PORT")
      ("h,help", "print this help and exit");
  return options;
}

// Adds the image of every container and Python component of `program` to `images`.
void CollectImages(const sema::Program& program, std::vector<std::string>* images) {
  std::set<std::string> seen(images->begin(), images->end());
  for (const auto& component : program.components) {
    bool has_image = component->kind == sema::Component::Kind::kContainer ||
                     component->kind == sema::Component::Kind::kPython;
    if (has_image && !component->image.empty() && seen.insert(component->image).second) {
      images->push_back(component->image);
    }
  }
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

int RunLockCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  cxxopts::Options options = LockCommandOptions();
  std::optional<cxxopts::ParseResult> parsed = ParseArguments(options, args, err);
  if (!parsed) return kExitUsageOrIo;
  if (parsed->count("help") > 0) {
    out << options.help();
    return kExitSuccess;
  }
  const std::vector<std::string>& files = parsed->unmatched();
  images::LockOptions lock_options;
  lock_options.update = parsed->count("update") > 0;
  lock_options.prune = parsed->count("prune") > 0;
  if (parsed->count("insecure-registry") > 0) {
    lock_options.insecure_registries = (*parsed)["insecure-registry"].as<std::vector<std::string>>();
  }
  if (parsed->count("lock") > 0) {
    lock_options.lock_path = (*parsed)["lock"].as<std::string>();
  } else if (!files.empty()) {
    std::error_code error;
    std::filesystem::path first = std::filesystem::absolute(files[0], error);
    lock_options.lock_path = (first.parent_path() / images::kLockFileName).string();
  }

  std::error_code exists_error;
  if (files.empty() && !std::filesystem::exists(lock_options.lock_path, exists_error)) {
    return ReportUsageError(
        err, fmt::format("missing input file, and there is no `{}` to refresh",
                         lock_options.lock_path),
        options.program());
  }

  int status = kExitSuccess;
  for (const std::string& file : files) {
    diag::SourceManager sources;
    check::CheckResult result;
    status = std::max(status, CheckFile(file, check::CheckOptions{}, sources, &result, err));
    if (result.program) CollectImages(*result.program, &lock_options.images);
  }
  if (status != kExitSuccess) return status;
  if (!files.empty() && lock_options.images.empty()) {
    out << "no images to lock\n";
    return kExitSuccess;
  }

  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  std::string report;
  bool locked = images::RunLock(lock_options, sources, sink, &report);
  out << report;
  err << diag::RenderAll(sources, sink.diagnostics());
  return locked ? kExitSuccess : FailureStatus(sink);
}

}  // namespace kfpc::driver
