#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kfpc::diag {

// Index of a file in a SourceManager. Stable for the manager's lifetime.
using FileId = uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

// A half-open byte range [begin, end) in one file. Line and column are computed only when a
// diagnostic is rendered or converted for the language server.
struct Span {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;

  bool valid() const { return file != kNoFile; }
  friend bool operator==(const Span&, const Span&) = default;
};

// 1-based line, 1-based column counted in bytes.
struct LineColumn {
  uint32_t line = 1;
  uint32_t column = 1;
};

// Owns the text of every file that takes part in one compilation: the root file, its imports and
// in-memory buffers from the language server.
class SourceManager {
 public:
  // Adds a file with the given display path and contents; the path is used as given in messages.
  FileId AddFile(std::string path, std::string contents);

  // Returns the id of a file added under exactly this path, or kNoFile.
  FileId Find(std::string_view path) const;

  const std::string& path(FileId id) const { return files_[id].path; }
  const std::string& contents(FileId id) const { return files_[id].contents; }
  size_t file_count() const { return files_.size(); }

  LineColumn Position(FileId id, uint32_t offset) const;
  // Returns the text of the 1-based line without its line terminator.
  std::string_view LineText(FileId id, uint32_t line) const;
  // Returns the byte offset of a 1-based line and column, clamped to the file.
  uint32_t Offset(FileId id, uint32_t line, uint32_t column) const;

 private:
  struct File {
    std::string path;
    std::string contents;
    std::vector<uint32_t> line_starts;
  };
  std::vector<File> files_;
};

}  // namespace kfpc::diag
