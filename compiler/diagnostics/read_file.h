#pragma once

#include <cstddef>
#include <string>

namespace kfpc::diag {

enum class ReadStatus {
  kOk,
  kNotFound,    // no file at the path (ENOENT or ENOTDIR)
  kNotRegular,  // a directory, FIFO, socket or device
  kFailed,      // any other error of stat, open or read
};

struct ReadResult {
  ReadStatus status = ReadStatus::kFailed;
  std::string contents;  // at most `max_bytes` + 1 bytes, so a caller can tell a file is too large
  std::string error;     // the OS error, or the type of a FIFO, socket or device; no path
};

// Reads a regular file. A directory, FIFO, socket or device is rejected after `stat` and before
// `open`, so that a FIFO never blocks the read. The file is opened with O_NONBLOCK and checked
// again with `fstat`, in case it was replaced in between. Stops after `max_bytes` + 1 bytes.
ReadResult ReadRegularFile(const std::string& path, size_t max_bytes);

}  // namespace kfpc::diag
