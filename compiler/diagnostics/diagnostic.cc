#include "compiler/diagnostics/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

namespace kfpc::diag {

namespace {

const std::vector<KindInfo>& KindTable() {
  static const std::vector<KindInfo> table = {
#define KFPC_DIAGNOSTIC(name, code, severity) {#name, code, Severity::severity},
#include "compiler/diagnostics/diagnostic_kinds.def"
#undef KFPC_DIAGNOSTIC
  };
  return table;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

// Appends the source line of `span` and a caret line under it. Tabs in the prefix are kept so
// that the caret lines up in a terminal.
void AppendSnippet(const SourceManager& sources, const Span& span, std::string* out) {
  LineColumn start = sources.Position(span.file, span.begin);
  std::string_view line = sources.LineText(span.file, start.line);
  std::string gutter = fmt::format("{} | ", start.line);
  out->append(gutter).append(line).append("\n");
  // The caret line keeps the gutter's width with the `|` in the same column.
  std::string marker(gutter.size() - 2, ' ');
  marker.append("| ");
  for (uint32_t i = 0; i + 1 < start.column && i < line.size(); ++i) {
    marker.push_back(line[i] == '\t' ? '\t' : ' ');
  }
  LineColumn end = sources.Position(span.file, span.end);
  size_t width = 1;
  if (end.line == start.line && end.column > start.column) width = end.column - start.column;
  marker.push_back('^');
  if (width > 1) marker.append(width - 1, '~');
  out->append(marker).append("\n");
}

}  // namespace

const KindInfo& Info(Kind kind) { return KindTable()[static_cast<size_t>(kind)]; }

const std::vector<Kind>& AllKinds() {
  static const std::vector<Kind> kinds = [] {
    std::vector<Kind> result;
    for (size_t i = 0; i < KindTable().size(); ++i) result.push_back(static_cast<Kind>(i));
    return result;
  }();
  return kinds;
}

Diagnostic& DiagnosticSink::Report(Kind kind, Span span, std::string message) {
  Diagnostic& diagnostic = diagnostics_.emplace_back();
  diagnostic.kind = kind;
  diagnostic.severity = Info(kind).severity;
  diagnostic.span = span;
  diagnostic.message = std::move(message);
  return diagnostic;
}

size_t DiagnosticSink::error_count() const {
  return std::count_if(diagnostics_.begin(), diagnostics_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::string Render(const SourceManager& sources, const Diagnostic& diagnostic) {
  std::string out;
  if (diagnostic.span.valid()) {
    LineColumn position = sources.Position(diagnostic.span.file, diagnostic.span.begin);
    out += fmt::format("{}:{}:{}: ", sources.path(diagnostic.span.file), position.line,
                       position.column);
  } else {
    out += "kfpc: ";
  }
  out += fmt::format("{}: {}\n", SeverityName(diagnostic.severity), diagnostic.message);
  if (diagnostic.span.valid()) AppendSnippet(sources, diagnostic.span, &out);
  for (const Label& label : diagnostic.labels) {
    if (!label.span.valid()) continue;
    LineColumn position = sources.Position(label.span.file, label.span.begin);
    out += fmt::format("{}:{}:{}: note: {}\n", sources.path(label.span.file), position.line,
                       position.column, label.message);
    AppendSnippet(sources, label.span, &out);
  }
  for (const std::string& note : diagnostic.notes) out += fmt::format("note: {}\n", note);
  if (!diagnostic.help.empty()) out += fmt::format("help: {}\n", diagnostic.help);
  return out;
}

std::string RenderAll(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics) {
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : diagnostics) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->span.file != b->span.file) return a->span.file < b->span.file;
    return a->span.begin < b->span.begin;
  });
  std::string out;
  for (const Diagnostic* d : sorted) out += Render(sources, *d);
  return out;
}

}  // namespace kfpc::diag
