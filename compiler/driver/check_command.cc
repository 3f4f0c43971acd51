#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/driver/file_io.h"
#include "compiler/driver/target_options.h"
#include "compiler/passes/project_config.h"
#include "compiler/report/json_report.h"
#include "compiler/report/sarif_report.h"

namespace kfpc::driver {

namespace {

namespace fs = std::filesystem;

enum class OutputFormat { kText, kJson, kSarif };

// The command line of `kfpc check`, validated.
struct CheckRequest {
  OutputFormat format = OutputFormat::kText;
  bool warnings_are_errors = false;
  std::string output_path;  // "-" is stdout; empty: text to stderr, JSON and SARIF to stdout
  fs::path sarif_root;      // absolute
  // A file may declare several pipelines, each compiled with `kfpc build --pipeline NAME`.
  check::CheckOptions check_options = check::OptionsWithoutEntry();
  std::vector<std::string> inputs;
  TargetFlags target_flags;
};

cxxopts::Options CheckCommandOptions() {
  cxxopts::Options options("kfpc check",
                           "Checks .kf files and prints their diagnostics without writing any\n"
                           "output. Each file is checked on its own, with its imports.\n"
                           "A directory means every *.kf file under it, searched recursively.\n");
  options.custom_help(
      "[--format text|json|sarif] [--werror] [--sarif-root DIR] [-o FILE] [--target NAME]\n"
      "             [--kfp-version X.Y[.Z]] [--lock FILE] [--require-lock] FILE_OR_DIRECTORY...");
  options.add_options()
      ("format", "output format: `text` (to stderr), `json` or `sarif` (SARIF 2.1.0, to stdout)",
       cxxopts::value<std::string>()->default_value("text"), "FORMAT")
      ("werror", "exit with status 1 when there are warnings, as with errors")
      ("sarif-root",
       "directory that SARIF file URIs are relative to (default: the enclosing git "
       "work tree, else the current directory)",
       cxxopts::value<std::string>(), "DIR")
      ("o,output", "write the diagnostics to FILE (`-` for stdout) instead of stderr or stdout",
       cxxopts::value<std::string>(), "FILE")
      ("h,help", "print this help and exit");
  AddTargetOptions(options);
  return options;
}

// Returns the nearest directory from the current one upward that contains `.git` (a directory,
// or a file in a linked work tree), else the current directory.
fs::path DefaultSarifRoot() {
  std::error_code error;
  fs::path current = fs::current_path(error);
  for (fs::path dir = current; !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / ".git", error)) return dir;
    if (dir == dir.root_path()) break;
  }
  return current;
}

// Validates the parsed options into `request`. Returns false after reporting a usage error.
bool ReadRequest(const cxxopts::ParseResult& parsed, const cxxopts::Options& options,
                 CheckRequest* request, std::ostream& err) {
  const std::string& format = parsed["format"].as<std::string>();
  if (format == "text") {
    request->format = OutputFormat::kText;
  } else if (format == "json") {
    request->format = OutputFormat::kJson;
  } else if (format == "sarif") {
    request->format = OutputFormat::kSarif;
  } else {
    ReportUsageError(err, fmt::format("invalid format `{}`; expected `text`, `json` or `sarif`",
                                      format),
                     options.program());
    return false;
  }
  request->warnings_are_errors = parsed.count("werror") > 0;
  if (parsed.count("output") > 0) request->output_path = parsed["output"].as<std::string>();
  if (parsed.count("sarif-root") > 0) {
    std::error_code error;
    request->sarif_root = fs::weakly_canonical(parsed["sarif-root"].as<std::string>(), error);
    if (error) request->sarif_root = fs::absolute(parsed["sarif-root"].as<std::string>());
  } else {
    request->sarif_root = DefaultSarifRoot();
  }
  if (!ReadTargetFlags(parsed, options.program(), &request->target_flags, err)) return false;
  request->inputs = parsed.unmatched();
  if (request->inputs.empty()) {
    ReportUsageError(err, "missing input file or directory", options.program());
    return false;
  }
  return true;
}

// A checked path that only carries one diagnostic without a location.
report::CheckedFile Unreadable(const std::string& path, diag::Kind kind, std::string message) {
  report::CheckedFile file;
  file.path = path;
  diag::DiagnosticSink sink;
  sink.Report(kind, diag::Span{}, std::move(message));
  file.diagnostics = sink.diagnostics();
  return file;
}

// Appends the *.kf files under `directory`, sorted by path so the output order is stable.
// Returns the reason when the directory cannot be read or contains no `.kf` file.
std::optional<report::CheckedFile> CollectDirectory(const std::string& directory,
                                                    std::vector<std::string>* files) {
  std::error_code error;
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(directory, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().extension() == ".kf" && it->is_regular_file(error)) {
      found.push_back(it->path().string());
    }
  }
  if (error) {
    return Unreadable(directory, diag::Kind::kReadFailed,
                      fmt::format("failed to read directory `{}`: {}", directory,
                                  error.message()));
  }
  if (found.empty()) {
    report::CheckedFile file =
        Unreadable(directory, diag::Kind::kNoSourceFiles,
                   fmt::format("no `.kf` files found under `{}`", directory));
    file.diagnostics.back().help = "give a `.kf` file, or a directory that contains one";
    return file;
  }
  std::sort(found.begin(), found.end());
  files->insert(files->end(), found.begin(), found.end());
  return std::nullopt;
}

report::CheckedFile CheckOneFile(const std::string& path, const check::CheckOptions& options,
                                 const TargetFlags& target_flags) {
  if (std::string kind = OutputKindOf(path); !kind.empty()) {
    report::CheckedFile file =
        Unreadable(path, diag::Kind::kNoSourceFiles, NotSourceMessage(path, kind));
    file.diagnostics.back().help = NotSourceHelp(path);
    return file;
  }
  std::string contents;
  std::string error;
  if (!ReadWholeFile(path, &contents, &error)) {
    return Unreadable(path, diag::Kind::kReadFailed,
                      fmt::format("failed to read `{}`: {}", path, error));
  }
  report::CheckedFile file;
  file.path = path;
  diag::FileId root = file.sources.AddFile(path, std::move(contents));
  diag::DiagnosticSink sink;
  check::CheckResult result =
      passes::CheckSource(path, root, options, check::DiskLoader(), file.sources, sink);
  if (!sink.has_errors() && result.program) {
    passes::CheckEachPipelineWithPasses(path, target_flags, *result.program, file.sources, sink);
  }
  file.diagnostics = sink.diagnostics();
  return file;
}

// A file that several checked files import is checked with each of them, and its diagnostics
// would be reported once per importer. Keeps the first report of each.
void DropRepeatedDiagnostics(std::vector<report::CheckedFile>& checked) {
  std::set<std::tuple<std::string, uint32_t, uint32_t, int, std::string>> reported;
  for (report::CheckedFile& file : checked) {
    // Each source file's canonical path, looked up once rather than once per diagnostic.
    std::map<diag::FileId, std::string> canonical_paths;
    auto canonical_path = [&](diag::FileId id) -> const std::string& {
      auto [it, inserted] = canonical_paths.emplace(id, "");
      if (inserted) {
        std::error_code error;
        const std::string& path = file.sources.path(id);
        fs::path canonical = fs::weakly_canonical(path, error);
        it->second = error ? path : canonical.string();
      }
      return it->second;
    };

    std::vector<diag::Diagnostic> unique;
    for (diag::Diagnostic& d : file.diagnostics) {
      if (d.span.valid()) {
        auto key = std::make_tuple(canonical_path(d.span.file), d.span.begin, d.span.end,
                                   static_cast<int>(d.kind), d.message);
        if (!reported.insert(std::move(key)).second) continue;
      }
      unique.push_back(std::move(d));
    }
    file.diagnostics = std::move(unique);
  }
}

// Checks every input: directory errors first, then each file in order. An unreadable path does
// not stop the others from being checked.
std::vector<report::CheckedFile> CheckInputs(const CheckRequest& request) {
  std::vector<report::CheckedFile> checked;
  std::vector<std::string> files;
  for (const std::string& path : request.inputs) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
    } else if (std::optional<report::CheckedFile> failure = CollectDirectory(path, &files)) {
      checked.push_back(std::move(*failure));
    }
  }
  // A file named twice, in any spelling, is checked once.
  std::set<std::string> seen_files;
  for (const std::string& file : files) {
    std::error_code error;
    fs::path canonical = fs::weakly_canonical(file, error);
    if (!seen_files.insert(error ? file : canonical.string()).second) continue;
    checked.push_back(CheckOneFile(file, request.check_options, request.target_flags));
  }
  DropRepeatedDiagnostics(checked);
  return checked;
}

// The worst outcome decides the exit status: I/O errors (diagnostics without a location) over
// input errors, and warnings count as errors under --werror.
int ExitStatus(const std::vector<report::CheckedFile>& checked, bool warnings_are_errors) {
  if (report::HasUnlocated(checked)) return kExitUsageOrIo;
  if (report::HasFailures(checked, warnings_are_errors)) return kExitInputErrors;
  return kExitSuccess;
}

// Source text in messages may be invalid UTF-8, which JSON cannot carry: such bytes become U+FFFD.
std::string Dump(const nlohmann::ordered_json& document) {
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string RenderReport(const CheckRequest& request,
                         const std::vector<report::CheckedFile>& checked) {
  switch (request.format) {
    case OutputFormat::kText: {
      std::string text;
      for (const report::CheckedFile& file : checked) {
        text += diag::RenderAll(file.sources, file.diagnostics);
      }
      return text;
    }
    case OutputFormat::kJson:
      return Dump(report::JsonReport(checked));
    case OutputFormat::kSarif: {
      std::error_code error;
      report::SarifOptions options{std::string(Version()), request.sarif_root,
                                   fs::current_path(error)};
      return Dump(report::SarifReport(checked, options));
    }
  }
  return "";
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
  *result = passes::CheckSource(path, root, options, check::DiskLoader(), sources, sink);
  err << diag::RenderAll(sources, sink.diagnostics());
  return sink.has_errors() ? kExitInputErrors : kExitSuccess;
}

int RunCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  cxxopts::Options options = CheckCommandOptions();
  std::optional<cxxopts::ParseResult> parsed = ParseArguments(options, args, err);
  if (!parsed) return kExitUsageOrIo;
  if (parsed->count("help") > 0) {
    out << HelpText(options);
    return kExitSuccess;
  }
  CheckRequest request;
  if (!ReadRequest(*parsed, options, &request, err)) return kExitUsageOrIo;

  std::vector<report::CheckedFile> checked = CheckInputs(request);
  int status = ExitStatus(checked, request.warnings_are_errors);
  std::string rendered = RenderReport(request, checked);
  bool to_stdout = request.output_path == "-" ||
                   (request.output_path.empty() && request.format != OutputFormat::kText);
  if (to_stdout) {
    out << rendered;
  } else if (request.output_path.empty()) {
    err << rendered;
  } else {
    for (const report::CheckedFile& file : checked) {
      std::string input = SameFileAmong(request.output_path, InputFiles(file.path, file.sources));
      if (input.empty()) continue;
      ReportOutputIsInput(request.output_path, input, "check", "report",
                          "write the report to another file, such as `kfpc-check.sarif`", err);
      return kExitUsageOrIo;
    }
    if (!WriteOutputFile(request.output_path, rendered, "kfpc-check.sarif", err)) {
      return kExitUsageOrIo;
    }
  }
  return status;
}

}  // namespace kfpc::driver
