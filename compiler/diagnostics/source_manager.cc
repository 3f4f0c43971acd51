#include "compiler/diagnostics/source_manager.h"

#include <algorithm>

namespace kfpc::diag {

FileId SourceManager::AddFile(std::string path, std::string contents) {
  // A UTF-8 byte order mark is not part of the first line: editors do not show it, and columns
  // count from the character after it.
  uint32_t first_line = std::string_view(contents).starts_with("\xEF\xBB\xBF") ? 3 : 0;
  File file{std::move(path), std::move(contents), {first_line}};
  // A line ends with LF, CR LF or a CR alone (old Mac OS files), as in the lexer.
  const std::string& text = file.contents;
  for (uint32_t i = 0; i < text.size(); ++i) {
    bool cr_alone = text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n');
    if (text[i] == '\n' || cr_alone) file.line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(file));
  return static_cast<FileId>(files_.size() - 1);
}

FileId SourceManager::Find(std::string_view path) const {
  for (size_t i = 0; i < files_.size(); ++i) {
    if (files_[i].path == path) return static_cast<FileId>(i);
  }
  return kNoFile;
}

LineColumn SourceManager::Position(FileId id, uint32_t offset) const {
  const File& file = files_[id];
  offset = std::min<uint32_t>(offset, file.contents.size());
  offset = std::max(offset, file.line_starts[0]);  // an offset inside the byte order mark
  auto it = std::upper_bound(file.line_starts.begin(), file.line_starts.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - file.line_starts.begin());
  return {line, offset - file.line_starts[line - 1] + 1};
}

std::string_view SourceManager::LineText(FileId id, uint32_t line) const {
  const File& file = files_[id];
  if (line == 0 || line > file.line_starts.size()) return {};
  uint32_t begin = file.line_starts[line - 1];
  uint32_t end = line < file.line_starts.size() ? file.line_starts[line] - 1
                                                 : static_cast<uint32_t>(file.contents.size());
  std::string_view text(file.contents.data() + begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

uint32_t SourceManager::Offset(FileId id, uint32_t line, uint32_t column) const {
  const File& file = files_[id];
  if (line == 0) return 0;
  if (line > file.line_starts.size()) return static_cast<uint32_t>(file.contents.size());
  uint32_t begin = file.line_starts[line - 1];
  std::string_view text = LineText(id, line);
  return begin + std::min<uint32_t>(column == 0 ? 0 : column - 1, text.size());
}

}  // namespace kfpc::diag
