#pragma once

// The data that the machine-readable formats of `kfpc check` (JSON, SARIF) render: the
// diagnostics of each checked file with the sources their spans point into, and the positions of
// spans in the units each format needs.

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"

namespace kfpc::report {

// One input of `kfpc check`. `sources` contains the file and everything it imports, and
// diagnostics without a valid span (a file or directory that failed to read) belong to `path`.
struct CheckedFile {
  std::string path;  // as given on the command line, or found under a directory argument
  diag::SourceManager sources;
  std::vector<diag::Diagnostic> diagnostics;
};

// A point in a source file. Lines and columns are 1-based; `byte_column` counts UTF-8 bytes, as
// the text output does, and `utf16_column` counts UTF-16 code units, as SARIF and LSP do.
struct SourcePoint {
  uint32_t line = 1;
  uint32_t byte_column = 1;
  uint32_t utf16_column = 1;
  uint32_t offset = 0;  // 0-based byte offset in the file
};

// The half-open range [start, end) of a span.
struct SourceRegion {
  SourcePoint start;
  SourcePoint end;
};

// Computes the region of a valid `span`. Offsets past the end of the file are clamped to it. An
// offset inside a multi-byte character gets that character's start as its UTF-16 column, but its
// exact byte column.
SourceRegion RegionOf(const diag::SourceManager& sources, const diag::Span& span);

// Returns the diagnostics in the order the text output prints them: by file, then by position,
// keeping the reporting order of equal positions.
std::vector<const diag::Diagnostic*> SortedByPosition(
    const std::vector<diag::Diagnostic>& diagnostics);

// Returns whether any diagnostic fails the check: an error, or a warning when
// `warnings_are_errors` is set (`kfpc check --werror`).
bool HasFailures(const std::vector<CheckedFile>& files, bool warnings_are_errors);

// Returns whether any error has no location: a path failed to read, or the command line is
// wrong, such as an unknown `--target`.
bool HasUnlocated(const std::vector<CheckedFile>& files);

// Returns the lowercase name of a severity as SARIF and the text output spell it
// ("error", "warning", "note").
const char* SeverityName(diag::Severity severity);

}  // namespace kfpc::report
