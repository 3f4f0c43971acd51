#include "compiler/report/report.h"

#include <algorithm>

namespace kfpc::report {

namespace {

// Counts the UTF-16 code units of the UTF-8 text `prefix`. Continuation bytes add nothing, a
// 4-byte sequence (outside the Basic Multilingual Plane) is a surrogate pair, and every other
// byte starts one unit, so invalid UTF-8 still advances by one unit per byte.
uint32_t Utf16Units(std::string_view prefix) {
  uint32_t units = 0;
  for (char c : prefix) {
    unsigned char byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) == 0x80) continue;
    units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

SourcePoint PointAt(const diag::SourceManager& sources, diag::FileId file, uint32_t offset) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(sources.contents(file).size()));
  diag::LineColumn position = sources.Position(file, offset);
  std::string_view line = sources.LineText(file, position.line);
  // The column can point past LineText at a "\r" before "\n"; that byte is one unit.
  size_t prefix_size = std::min<size_t>(position.column - 1, line.size());
  uint32_t past_line = position.column - 1 - static_cast<uint32_t>(prefix_size);
  // An offset inside a multi-byte character counts as that character's start.
  while (prefix_size > 0 && prefix_size < line.size() &&
         (static_cast<unsigned char>(line[prefix_size]) & 0xC0) == 0x80) {
    --prefix_size;
  }
  std::string_view prefix = line.substr(0, prefix_size);
  SourcePoint point;
  point.line = position.line;
  point.byte_column = position.column;
  point.utf16_column = Utf16Units(prefix) + past_line + 1;
  point.offset = offset;
  return point;
}

}  // namespace

SourceRegion RegionOf(const diag::SourceManager& sources, const diag::Span& span) {
  SourceRegion region;
  region.start = PointAt(sources, span.file, span.begin);
  region.end = PointAt(sources, span.file, std::max(span.begin, span.end));
  return region;
}

std::vector<const diag::Diagnostic*> SortedByPosition(
    const std::vector<diag::Diagnostic>& diagnostics) {
  std::vector<const diag::Diagnostic*> sorted;
  for (const diag::Diagnostic& diagnostic : diagnostics) sorted.push_back(&diagnostic);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const diag::Diagnostic* a, const diag::Diagnostic* b) {
                     if (a->span.file != b->span.file) return a->span.file < b->span.file;
                     return a->span.begin < b->span.begin;
                   });
  return sorted;
}

bool HasFailures(const std::vector<CheckedFile>& files, bool warnings_are_errors) {
  for (const CheckedFile& file : files) {
    for (const diag::Diagnostic& diagnostic : file.diagnostics) {
      if (diagnostic.severity == diag::Severity::kError) return true;
      if (warnings_are_errors && diagnostic.severity == diag::Severity::kWarning) return true;
    }
  }
  return false;
}

bool HasUnlocated(const std::vector<CheckedFile>& files) {
  for (const CheckedFile& file : files) {
    for (const diag::Diagnostic& diagnostic : file.diagnostics) {
      if (!diagnostic.span.valid() && diagnostic.severity == diag::Severity::kError) return true;
    }
  }
  return false;
}

const char* SeverityName(diag::Severity severity) {
  switch (severity) {
    case diag::Severity::kError:
      return "error";
    case diag::Severity::kWarning:
      return "warning";
    case diag::Severity::kNote:
      return "note";
  }
  return "error";
}

}  // namespace kfpc::report
