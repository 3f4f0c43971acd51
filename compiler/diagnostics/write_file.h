#pragma once

#include <string>

namespace kfpc::diag {

// Writes `contents` to `path` through a temporary file in the same directory that is renamed over
// `path` once it is complete, so readers see either the old file or the whole new one. On failure
// removes the temporary file, leaves `path` untouched, stores the OS error in `error` and returns
// false. A symbolic link is followed, and an existing file that is not a regular file or a
// directory (/dev/null, a FIFO) is written in place because a rename would replace it.
bool WriteFileAtomically(const std::string& path, const std::string& contents,
                         std::string* error);

}  // namespace kfpc::diag
