#include "compiler/diagnostics/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace kfpc::diag {

namespace {

std::string ErrorText(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

// Describes a file that is not a regular file, or returns an empty string for a regular one.
std::string NotRegularReason(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return ErrorText(EISDIR);  // the OS message that a read() would give
  if (S_ISFIFO(mode)) return "it is a FIFO (named pipe), not a regular file";
  if (S_ISSOCK(mode)) return "it is a socket, not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "it is a device, not a regular file";
  return "it is not a regular file";
}

ReadResult Failure(ReadStatus status, std::string error) {
  ReadResult result;
  result.status = status;
  result.error = std::move(error);
  return result;
}

}  // namespace

ReadResult ReadRegularFile(const std::string& path, size_t max_bytes) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) {
    int error = errno;
    bool missing = error == ENOENT || error == ENOTDIR;
    return Failure(missing ? ReadStatus::kNotFound : ReadStatus::kFailed, ErrorText(error));
  }
  if (std::string reason = NotRegularReason(status.st_mode); !reason.empty()) {
    return Failure(ReadStatus::kNotRegular, reason);
  }

  // O_NONBLOCK keeps open() from waiting for a writer if a FIFO replaced the file after stat().
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Failure(ReadStatus::kFailed, ErrorText(errno));
  if (::fstat(fd, &status) != 0) {
    int error = errno;
    ::close(fd);
    return Failure(ReadStatus::kFailed, ErrorText(error));
  }
  if (!S_ISREG(status.st_mode)) {
    ::close(fd);
    return Failure(ReadStatus::kNotRegular, NotRegularReason(status.st_mode));
  }

  ReadResult result;
  result.status = ReadStatus::kOk;
  char buffer[1 << 16];
  while (result.contents.size() <= max_bytes) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return Failure(ReadStatus::kFailed, ErrorText(error));
    }
    if (n == 0) break;
    result.contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  if (result.contents.size() > max_bytes + 1) result.contents.resize(max_bytes + 1);
  return result;
}

}  // namespace kfpc::diag
