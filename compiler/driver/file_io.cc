#include "compiler/driver/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/passes/passes.h"
#include "compiler/passes/project_config.h"

namespace kfpc::driver {

namespace {

std::string ErrorText(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

}  // namespace

bool WriteOutputFile(const std::string& path, const std::string& contents,
                     std::string_view example, std::ostream& err) {
  std::error_code not_directory;
  if (std::filesystem::is_directory(path, not_directory)) {
    ReportWithoutLocation(err, diag::Kind::kWriteFailed,
                          fmt::format("failed to write `{}`: it is a directory", path),
                          fmt::format("name a file, such as `{}{}{}`", path,
                                      path.ends_with('/') ? "" : "/", example));
    return false;
  }
  std::string error;
  if (!WriteFileAtomically(path, contents, &error)) {
    ReportWithoutLocation(err, diag::Kind::kWriteFailed,
                          fmt::format("failed to write `{}`: {}", path, error));
    return false;
  }
  return true;
}

void ReportOutputIsInput(const std::string& output, const std::string& input,
                         std::string_view command, std::string_view what, std::string_view help,
                         std::ostream& err) {
  // Name the file once when `-o` repeats the input's path, and both paths when a link or another
  // spelling of the path leads to it.
  std::string message =
      output == input
          ? fmt::format("`-o {}` names a file that the {} reads; the {} would replace it", output,
                        command, what)
          : fmt::format("`{}` is `{}`, which the {} reads; the {} would replace it", output, input,
                        command, what);
  ReportWithoutLocation(err, diag::Kind::kWriteFailed, std::move(message), std::string(help));
}

std::string SameFileAmong(const std::string& output, const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    std::error_code not_same;
    if (std::filesystem::equivalent(output, input, not_same)) return input;
  }
  return "";
}

std::vector<std::string> InputFiles(const std::string& root_source,
                                    const diag::SourceManager& sources) {
  std::vector<std::string> inputs;
  for (diag::FileId id = 0; id < sources.file_count(); ++id) inputs.push_back(sources.path(id));
  std::string config_path = passes::FindProjectConfig(root_source);
  if (!config_path.empty()) inputs.push_back(config_path);
  std::string lock_path = passes::FindLockFile(root_source, config_path);
  if (!lock_path.empty()) inputs.push_back(lock_path);
  return inputs;
}

bool ReadWholeFile(const std::string& path, std::string* contents, std::string* error,
                   size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = ErrorText(errno);
    return false;
  }
  // A regular file over the limit is rejected before reading; other files (pipes, devices) stop
  // being read once they pass it.
  struct stat status;
  if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) &&
      static_cast<uint64_t>(status.st_size) > max_bytes) {
    ::close(fd);
    *error = fmt::format("the file is larger than the limit of {} MiB", max_bytes >> 20);
    return false;
  }
  contents->clear();
  char buffer[1 << 16];
  while (true) {
    if (contents->size() > max_bytes) {
      ::close(fd);
      *error = fmt::format("the file is larger than the limit of {} MiB", max_bytes >> 20);
      return false;
    }
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = ErrorText(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    contents->append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

std::string OutputKindOf(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".yaml" || extension == ".yml") return "YAML";
  if (extension == ".json") return "JSON";
  return "";
}

std::string NotSourceMessage(const std::string& path, const std::string& kind) {
  return fmt::format("`{}` is a {} file, not a .kf source file", path, kind);
}

std::string NotSourceHelp(const std::string& path) {
  return fmt::format("pass the .kf file, such as `{}`",
                     std::filesystem::path(path).replace_extension(".kf").string());
}

}  // namespace kfpc::driver
