#include "compiler/diagnostics/write_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace kfpc::diag {

namespace {

std::string ErrorText(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

// Writes all of `contents` to `fd`, retrying after partial writes and interrupts. Returns 0 or
// the errno of the failed write.
int WriteAll(int fd, const std::string& contents) {
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    written += static_cast<size_t>(n);
  }
  return 0;
}

// Creates a new temporary file next to `path` and returns its descriptor, or -1 with errno set.
// The name carries the process id and an attempt number, so concurrent runs do not collide, and
// O_EXCL makes sure an existing file is never reused.
int CreateTemporary(const std::filesystem::path& path, std::string* temporary_path) {
  constexpr int kMaxAttempts = 100;
  std::filesystem::path directory = path.parent_path();
  std::string base = "." + path.filename().string();
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::string name = base + "." + std::to_string(::getpid()) + "-" + std::to_string(attempt) +
                       ".tmp";
    *temporary_path = (directory / name).string();
    int fd = ::open(temporary_path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

// Writes straight into an existing file that is not a regular file, such as /dev/null or a FIFO,
// which a rename would replace.
bool WriteInPlace(const std::string& path, const std::string& contents, std::string* error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    *error = ErrorText(errno);
    return false;
  }
  int write_error = WriteAll(fd, contents);
  if (::close(fd) != 0 && write_error == 0) write_error = errno;
  if (write_error != 0) *error = ErrorText(write_error);
  return write_error == 0;
}

// Follows `path` through symbolic links to the path that a write through it creates or replaces.
// The last link may point to a missing file. Returns "" and sets `error` after 40 links, the
// kernel's own limit, or when a link cannot be read.
std::string FollowLinks(const std::string& path, std::string* error) {
  std::filesystem::path current = path;
  for (int links = 0; links <= 40; ++links) {
    std::error_code failure;
    if (!std::filesystem::is_symlink(current, failure)) return current.string();
    std::filesystem::path next = std::filesystem::read_symlink(current, failure);
    if (failure) {
      *error = failure.message();
      return "";
    }
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  *error = ErrorText(ELOOP);
  return "";
}

}  // namespace

bool WriteFileAtomically(const std::string& requested_path, const std::string& contents,
                         std::string* error) {
  // Replace the file a symbolic link points to, not the link; a link to a missing file creates
  // that file, as a shell's `>` does.
  std::string path = FollowLinks(requested_path, error);
  if (path.empty()) return false;
  struct stat status;
  bool exists = ::stat(path.c_str(), &status) == 0;
  if (exists && !S_ISREG(status.st_mode) && !S_ISDIR(status.st_mode)) {
    return WriteInPlace(path, contents, error);
  }

  std::string temporary_path;
  int fd = CreateTemporary(std::filesystem::path(path), &temporary_path);
  if (fd < 0) {
    *error = ErrorText(errno);
    return false;
  }
  int write_error = WriteAll(fd, contents);
  // The replacement keeps the permission bits of the file it replaces, such as 0600.
  if (write_error == 0 && exists && S_ISREG(status.st_mode) &&
      ::fchmod(fd, status.st_mode & 07777) != 0) {
    write_error = errno;
  }
  if (::close(fd) != 0 && write_error == 0) write_error = errno;
  if (write_error == 0 && std::rename(temporary_path.c_str(), path.c_str()) != 0) {
    write_error = errno;
  }
  if (write_error != 0) {
    ::unlink(temporary_path.c_str());
    *error = ErrorText(write_error);
    return false;
  }
  return true;
}

}  // namespace kfpc::diag
