#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/driver/file_io.h"

namespace kfpc::driver {

namespace {

namespace fs = std::filesystem;

cxxopts::Options CheckCommandOptions() {
  cxxopts::Options options("kfpc check",
                           "Checks .kf files and prints their diagnostics without writing any\n"
                           "output. Each file is checked on its own, with its imports.\n"
                           "A directory means every *.kf file under it, searched recursively.\n");
  options.custom_help("FILE_OR_DIRECTORY...");
  options.add_options()("h,help", "print this help and exit");
  return options;
}

// Appends the *.kf files under `directory`, sorted by path so the output order is stable.
// Returns false and reports the error when the directory cannot be read.
bool CollectDirectory(const std::string& directory, std::vector<std::string>* files,
                      std::ostream& err) {
  std::error_code error;
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(directory, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().extension() == ".kf" && it->is_regular_file(error)) {
      found.push_back(it->path().string());
    }
  }
  if (error) {
    ReportWithoutLocation(err, diag::Kind::kReadFailed,
                          fmt::format("failed to read directory `{}`: {}", directory,
                                      error.message()));
    return false;
  }
  if (found.empty()) {
    ReportWithoutLocation(err, diag::Kind::kNoSourceFiles,
                          fmt::format("no `.kf` files found under `{}`", directory));
    return false;
  }
  std::sort(found.begin(), found.end());
  files->insert(files->end(), found.begin(), found.end());
  return true;
}

}  // namespace

int CheckFile(const std::string& path, const check::CheckOptions& options,
              diag::SourceManager& sources, check::CheckResult* result, std::ostream& err) {
  std::string contents;
  std::string error;
  if (!ReadWholeFile(path, &contents, &error)) {
    ReportWithoutLocation(err, diag::Kind::kReadFailed,
                          fmt::format("failed to read `{}`: {}", path, error));
    return kExitUsageOrIo;
  }
  diag::FileId root = sources.AddFile(path, std::move(contents));
  diag::DiagnosticSink sink;
  *result = check::Check(sources, root, check::DiskLoader(), sink, options);
  err << diag::RenderAll(sources, sink.diagnostics());
  return sink.has_errors() ? kExitInputErrors : kExitSuccess;
}

int RunCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  cxxopts::Options options = CheckCommandOptions();
  std::optional<cxxopts::ParseResult> parsed = ParseArguments(options, args, err);
  if (!parsed) return kExitUsageOrIo;
  if (parsed->count("help") > 0) {
    out << options.help();
    return kExitSuccess;
  }
  if (parsed->unmatched().empty()) {
    return ReportUsageError(err, "missing input file or directory", options.help());
  }

  // An unreadable path does not stop the others from being checked, and the worst outcome
  // decides the exit status.
  int status = kExitSuccess;
  std::vector<std::string> files;
  for (const std::string& path : parsed->unmatched()) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
    } else if (!CollectDirectory(path, &files, err)) {
      status = kExitUsageOrIo;
    }
  }
  for (const std::string& file : files) {
    diag::SourceManager sources;
    check::CheckResult result;
    status = std::max(status, CheckFile(file, check::CheckOptions{}, sources, &result, err));
  }
  return status;
}

}  // namespace kfpc::driver
