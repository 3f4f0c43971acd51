#include "compiler/lsp/documents.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "compiler/lsp/uri.h"

namespace kfpc::lsp {

namespace {

// A text being edited: a gap buffer, so that a change costs the distance from the previous one
// rather than the length of the text after it, with the starts of its lines found on demand.
class EditedText {
 public:
  explicit EditedText(std::string text) { Reset(std::move(text)); }

  void Reset(std::string text) {
    buffer_ = std::move(text);
    gap_begin_ = gap_end_ = buffer_.size();
    line_starts_ = {0};
    marks_.clear();
  }

  uint32_t size() const { return static_cast<uint32_t>(buffer_.size() - (gap_end_ - gap_begin_)); }

  // The byte offset of `position`, as PositionToOffset finds it in the whole text. The scan
  // starts at the last mark of the line at or before the character, so that many edits of one
  // long line cost the distance from a mark each, not the line's length.
  uint32_t Offset(Position position, PositionEncoding encoding) {
    uint32_t start = LineStart(position.line);
    uint32_t size = this->size();
    if (start == size) return start;
    if (marks_.empty() || marked_line_ != position.line || marked_encoding_ != encoding ||
        marks_.front().offset != start) {
      marks_.assign(1, LineMark{0, start});
      marked_line_ = position.line;
      marked_encoding_ = encoding;
    }
    size_t mark = std::upper_bound(
                      marks_.begin(), marks_.end(), position.character,
                      [](uint32_t character, const LineMark& m) { return character < m.units; }) -
                  marks_.begin() - 1;  // marks_.front().units is 0, so there is one
    bool extend = mark + 1 == marks_.size();
    uint32_t i = marks_[mark].offset;
    uint32_t units = marks_[mark].units;
    uint32_t next_mark = i + kMarkStride;
    // As CharacterOffset does: stop at a line break, at the end, or on reaching the character.
    while (i < size && At(i) != '\n' && At(i) != '\r' && units < position.character) {
      uint32_t length = std::min(SequenceLength(static_cast<unsigned char>(At(i))), size - i);
      units += Units(length, encoding);
      i += length;
      if (extend && i >= next_mark) {
        marks_.push_back(LineMark{units, i});
        next_mark = i + kMarkStride;
      }
    }
    return i;
  }

  void Replace(uint32_t begin, uint32_t end, std::string_view text) {
    MoveGap(end);
    gap_begin_ = begin;
    if (gap_end_ - gap_begin_ < text.size()) {
      // Grows the gap by at least half the buffer, so that growing costs linear time in all.
      size_t grow = std::max(text.size(), buffer_.size() / 2 + 64);
      buffer_.insert(gap_end_, grow, '\0');
      gap_end_ += grow;
    }
    std::memcpy(buffer_.data() + gap_begin_, text.data(), text.size());
    gap_begin_ += text.size();
    // A line that starts before `begin` keeps its start: its line break is before the change,
    // and the byte after the break is not changed either, so a "\r" cannot join a new "\n".
    line_starts_.resize(std::lower_bound(line_starts_.begin(), line_starts_.end(), begin) -
                        line_starts_.begin());
    if (line_starts_.empty()) line_starts_.push_back(0);
    // A mark stays valid while the text before it is unchanged.
    while (!marks_.empty() && marks_.back().offset > begin) marks_.pop_back();
  }

  std::string Take() {
    MoveGap(size());
    buffer_.resize(gap_begin_);
    gap_end_ = gap_begin_;
    return std::move(buffer_);
  }

 private:
  char At(uint32_t offset) const {
    return offset < gap_begin_ ? buffer_[offset] : buffer_[offset + (gap_end_ - gap_begin_)];
  }

  // The offset where line `line` starts, or size() when the text has fewer lines.
  uint32_t LineStart(uint32_t line) {
    uint32_t size = this->size();
    while (line_starts_.size() <= line) {
      uint32_t i = line_starts_.back();
      while (i < size && At(i) != '\n' && At(i) != '\r') ++i;
      if (i == size) return size;
      i += At(i) == '\r' && i + 1 < size && At(i + 1) == '\n' ? 2 : 1;
      line_starts_.push_back(i);
    }
    return line_starts_[line];
  }

  void MoveGap(uint32_t offset) {
    if (offset < gap_begin_) {
      size_t count = gap_begin_ - offset;
      std::memmove(buffer_.data() + gap_end_ - count, buffer_.data() + offset, count);
      gap_begin_ -= count;
      gap_end_ -= count;
    } else if (offset > gap_begin_) {
      size_t count = offset - gap_begin_;
      std::memmove(buffer_.data() + gap_begin_, buffer_.data() + gap_end_, count);
      gap_begin_ += count;
      gap_end_ += count;
    }
  }

  // A point of the marked line: `units` code units from its start take the bytes up to `offset`.
  struct LineMark {
    uint32_t units;
    uint32_t offset;
  };
  static constexpr uint32_t kMarkStride = 4096;  // bytes between two marks of a line

  std::string buffer_;
  size_t gap_begin_ = 0, gap_end_ = 0;
  std::vector<uint32_t> line_starts_;  // the starts of the first lines, each still valid
  // Marks every kMarkStride bytes of the line last looked up, in increasing order.
  std::vector<LineMark> marks_;
  uint32_t marked_line_ = 0;
  PositionEncoding marked_encoding_ = PositionEncoding::kUtf16;
};

}  // namespace

namespace {

// Returns `path` with symbolic links, `.` and `..` resolved as far as they exist, or `path`.
std::string CanonicalPath(const std::string& path) {
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

}  // namespace

Document& DocumentStore::Open(const std::string& uri, std::string text, int64_t version) {
  Document& document = documents_[uri];
  document.uri = uri;
  document.path = UriToPath(uri);
  document.canonical_path = CanonicalPath(document.path);
  document.text = std::move(text);
  document.version = version;
  document.dirty = true;
  return document;
}

Document* DocumentStore::Find(const std::string& uri) {
  auto it = documents_.find(uri);
  return it == documents_.end() ? nullptr : &it->second;
}

void DocumentStore::Close(const std::string& uri) { documents_.erase(uri); }

void DocumentStore::MarkDependentsDirty(const std::string& path) {
  std::string canonical = CanonicalPath(path);
  for (auto& [uri, document] : documents_) {
    if (document.path == path || document.canonical_path == canonical) document.dirty = true;
    if (!document.analysis || document.dirty) continue;
    const diag::SourceManager& sources = document.analysis->sources;
    for (diag::FileId file = 0; file < sources.file_count() && !document.dirty; ++file) {
      document.dirty = sources.path(file) == path || CanonicalPath(sources.path(file)) == canonical;
    }
  }
}

check::FileLoader DocumentStore::Loader() const {
  check::FileLoader disk = check::DiskLoader();
  return [this, disk](const std::string& path) -> std::optional<std::string> {
    std::string canonical = CanonicalPath(path);
    for (const auto& [uri, document] : documents_) {
      if (document.path == path || document.canonical_path == canonical) return document.text;
    }
    return disk(path);
  };
}

void ApplyChanges(std::string& text, const nlohmann::json& changes, PositionEncoding encoding) {
  EditedText edited(std::move(text));
  try {
    for (const nlohmann::json& change : changes) {
      std::string new_text = change.at("text").get<std::string>();
      if (!change.contains("range")) {
        edited.Reset(std::move(new_text));
        continue;
      }
      const nlohmann::json& range = change.at("range");
      Position start = PositionFromJson(range.at("start"));
      Position end = PositionFromJson(range.at("end"));
      uint32_t begin_offset = edited.Offset(start, encoding);
      uint32_t end_offset = edited.Offset(end, encoding);
      if (end_offset < begin_offset) std::swap(begin_offset, end_offset);
      edited.Replace(begin_offset, end_offset, new_text);
    }
  } catch (...) {
    text = edited.Take();
    throw;
  }
  text = edited.Take();
}

}  // namespace kfpc::lsp
