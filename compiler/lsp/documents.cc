#include "compiler/lsp/documents.h"

#include <algorithm>
#include <cstring>
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
  }

  uint32_t size() const { return static_cast<uint32_t>(buffer_.size() - (gap_end_ - gap_begin_)); }

  // The byte offset of `position`, as PositionToOffset finds it in the whole text.
  uint32_t Offset(Position position, PositionEncoding encoding) {
    uint32_t start = LineStart(position.line);
    if (start == size()) return start;
    // With the gap moved to the line's start, the line is contiguous after the gap.
    MoveGap(start);
    std::string_view rest(buffer_.data() + gap_end_, buffer_.size() - gap_end_);
    return start + CharacterOffset(rest, position.character, encoding);
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

  std::string buffer_;
  size_t gap_begin_ = 0, gap_end_ = 0;
  std::vector<uint32_t> line_starts_;  // the starts of the first lines, each still valid
};

}  // namespace

Document& DocumentStore::Open(const std::string& uri, std::string text, int64_t version) {
  Document& document = documents_[uri];
  document.uri = uri;
  document.path = UriToPath(uri);
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
  for (auto& [uri, document] : documents_) {
    if (document.path == path) document.dirty = true;
    if (!document.analysis) continue;
    if (document.analysis->sources.Find(path) != diag::kNoFile) document.dirty = true;
  }
}

check::FileLoader DocumentStore::Loader() const {
  check::FileLoader disk = check::DiskLoader();
  return [this, disk](const std::string& path) -> std::optional<std::string> {
    for (const auto& [uri, document] : documents_) {
      if (document.path == path) return document.text;
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
