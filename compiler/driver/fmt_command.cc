#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/driver/file_io.h"
#include "compiler/format/format.h"

namespace kfpc::driver {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStdin = "-";

cxxopts::Options FmtOptions() {
  cxxopts::Options options("kfpc fmt",
                           "Rewrites .kf files in kfpc's canonical layout. A directory means\n"
                           "every *.kf file under it, searched recursively; `-` formats standard\n"
                           "input to standard output. A file with syntax errors is reported and\n"
                           "left unchanged.\n");
  options.custom_help("[--check] FILE_OR_DIRECTORY... | -");
  options.add_options()
      ("check", "write nothing; list the files that are not formatted and exit with 1 if any")
      ("h,help", "print this help and exit");
  return options;
}

// Appends the *.kf files under `directory`, sorted by path. Returns false and reports the error
// when the directory cannot be read.
bool CollectKfFiles(const std::string& directory, std::vector<std::string>* files,
                    std::ostream& err) {
  std::error_code error;
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(directory, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    // A linked file may lie outside the tree, so `fmt DIR` rewrites only files that are in it.
    if (it->path().extension() == ".kf" && !it->is_symlink(error) && it->is_regular_file(error)) {
      found.push_back(it->path().string());
    }
  }
  if (error) {
    ReportWithoutLocation(err, diag::Kind::kReadFailed,
                          fmt::format("failed to read directory `{}`: {}", directory,
                                      error.message()));
    return false;
  }
  std::sort(found.begin(), found.end());
  files->insert(files->end(), found.begin(), found.end());
  return true;
}

// Formats `contents`, named `path` in diagnostics. Reports syntax errors, not warnings, to `err`
// and returns false when there are any.
bool FormatText(const std::string& path, std::string contents, std::string* formatted,
                std::ostream& err) {
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile(path, std::move(contents));
  diag::DiagnosticSink sink;
  std::optional<std::string> result = format::Format(sources, file, sink);
  // Warnings are for `kfpc check`; formatting stops only at syntax errors, the ones shown here.
  std::vector<diag::Diagnostic> errors;
  for (const diag::Diagnostic& d : sink.diagnostics()) {
    if (d.severity == diag::Severity::kError) errors.push_back(d);
  }
  err << diag::RenderAll(sources, errors);
  if (!result) return false;
  *formatted = std::move(*result);
  return true;
}

int FormatStdin(bool check, std::ostream& out, std::ostream& err) {
  std::string contents(std::istreambuf_iterator<char>(std::cin), {});
  std::string formatted;
  if (!FormatText("<stdin>", contents, &formatted, err)) return kExitInputErrors;
  if (!check) {
    out << formatted;
    return kExitSuccess;
  }
  if (formatted == contents) return kExitSuccess;
  out << "<stdin>\n";
  return kExitInputErrors;
}

// Formats one file in place, or with `check` only lists it on `out` when it is not formatted.
int FormatFile(const std::string& path, bool check, std::ostream& out, std::ostream& err) {
  if (std::string kind = OutputKindOf(path); !kind.empty()) {
    ReportWithoutLocation(err, diag::Kind::kNoSourceFiles, NotSourceMessage(path, kind),
                          NotSourceHelp(path));
    return kExitUsageOrIo;
  }
  std::string contents;
  std::string error;
  if (!ReadWholeFile(path, &contents, &error)) {
    ReportWithoutLocation(err, diag::Kind::kReadFailed,
                          fmt::format("failed to read `{}`: {}", path, error));
    return kExitUsageOrIo;
  }
  std::string formatted;
  if (!FormatText(path, contents, &formatted, err)) return kExitInputErrors;
  if (formatted == contents) return kExitSuccess;
  if (check) {
    out << path << "\n";
    return kExitInputErrors;
  }
  if (!WriteFileAtomically(path, formatted, &error)) {
    ReportWithoutLocation(err, diag::Kind::kWriteFailed,
                          fmt::format("failed to write `{}`: {}", path, error));
    return kExitUsageOrIo;
  }
  return kExitSuccess;
}

}  // namespace

int RunFmt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  cxxopts::Options options = FmtOptions();
  std::optional<cxxopts::ParseResult> parsed = ParseArguments(options, args, err);
  if (!parsed) return kExitUsageOrIo;
  if (parsed->count("help") > 0) {
    out << HelpText(options);
    return kExitSuccess;
  }
  const std::vector<std::string>& paths = parsed->unmatched();
  bool check = parsed->count("check") > 0;
  if (paths.empty()) {
    return ReportUsageError(err, "missing input file or directory; use `-` for standard input",
                            options.program());
  }
  if (std::find(paths.begin(), paths.end(), kStdin) != paths.end()) {
    if (paths.size() > 1) {
      return ReportUsageError(err, "`-` cannot be combined with file or directory arguments",
                              options.program());
    }
    return FormatStdin(check, out, err);
  }

  // The worst outcome over all files decides the exit status; one bad file does not stop the
  // others from being formatted.
  int status = kExitSuccess;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
    } else if (!CollectKfFiles(path, &files, err)) {
      status = kExitUsageOrIo;
    }
  }
  for (const std::string& file : files) status = std::max(status, FormatFile(file, check, out, err));
  return status;
}

}  // namespace kfpc::driver
