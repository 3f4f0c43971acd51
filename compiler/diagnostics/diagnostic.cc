#include "compiler/diagnostics/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/diagnostics/utf8.h"

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

// Whether a snippet shows `c` as `<U+XXXX>` rather than as itself. Control characters move the
// cursor or vanish. Zero-width spaces, the byte order mark and the bidirectional controls change
// how a line reads; a terminal would apply the bidirectional ones to the whole line.
bool ShownAsEscape(char32_t c) {
  return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F) || c == 0x061C ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
}

// Returns the escape for the character `c` at text[i], whose UTF-8 length from DecodeUtf8 is
// `*length` (0 for a byte that is not UTF-8). Such a byte becomes `<XX>` and sets `*length` to 1.
// A character that ShownAsEscape selects becomes `<U+XXXX>`, and any other character gives "".
std::string EscapeAt(std::string_view text, size_t i, size_t* length, char32_t c) {
  if (*length == 0) {
    *length = 1;
    return fmt::format("<{:02X}>", static_cast<unsigned char>(text[i]));
  }
  if (ShownAsEscape(c)) return fmt::format("<U+{:04X}>", static_cast<uint32_t>(c));
  return "";
}

// The columns a terminal gives `c`: 2 for the wide East Asian characters and most emoji, 1 for
// the rest. A rough table that covers the common ranges, enough to line up a caret.
size_t DisplayWidth(char32_t c) {
  bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
              (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
              (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
              (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
              (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

// A line longer than this many bytes is cut to a window around the start of the span: up to
// kSnippetBefore bytes before it and kSnippetBytes bytes in all, with `...` where text is left
// out. Printing every long line whole would make the output of a generated one-line file with
// many errors grow with the square of its length.
constexpr size_t kSnippetBytes = 160;
constexpr size_t kSnippetBefore = 60;

// Moves `i` forward to the start of a UTF-8 character (past continuation bytes), at most to the
// end of `line`.
size_t ToCharacterStart(std::string_view line, size_t i) {
  while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// Appends the source line of `span` and a caret line under it. Control and invisible characters
// are shown as `<U+XXXX>` and bytes that are not UTF-8 as `<XX>`, so the terminal prints what
// the file holds. The caret counts display columns and keeps the tabs before it, to line up.
void AppendSnippet(const SourceManager& sources, const Span& span, std::string* out) {
  LineColumn start = sources.Position(span.file, span.begin);
  std::string_view line = sources.LineText(span.file, start.line);
  LineColumn end = sources.Position(span.file, span.end);
  size_t begin_byte = start.column - 1;
  // A span over several lines, such as a task with a settings block, is underlined to the end of
  // its first line, as a one-line span of the same statement would be.
  size_t end_byte = end.column - 1;
  if (end.line != start.line) {
    end_byte = line.find_last_not_of(" \t\r") + 1;
    if (end_byte <= begin_byte) end_byte = begin_byte;
  }
  std::string gutter = fmt::format("{} | ", start.line);
  // The caret line keeps the gutter's width with the `|` in the same column.
  std::string marker(gutter.size() - 2, ' ');
  marker.append("| ");
  out->append(gutter);
  size_t from = 0;
  size_t to = line.size();
  if (line.size() > kSnippetBytes) {
    from = ToCharacterStart(line, begin_byte > kSnippetBefore ? begin_byte - kSnippetBefore : 0);
    to = ToCharacterStart(line, std::min(line.size(), from + kSnippetBytes));
  }
  if (from > 0) {
    out->append("...");
    marker.append("   ");
  }
  size_t span_width = 0;
  for (size_t i = from; i < to;) {
    unsigned char byte = static_cast<unsigned char>(line[i]);
    char32_t c = byte;
    size_t length = 1;
    size_t width = 1;
    if (byte >= 0x20 && byte < 0x7F) {
      out->push_back(line[i]);
    } else {
      length = DecodeUtf8(line.substr(i), &c);
      if (std::string escape = EscapeAt(line, i, &length, c); !escape.empty()) {
        out->append(escape);
        width = escape.size();
      } else {
        out->append(line.substr(i, length));
        width = c == '\t' ? 1 : DisplayWidth(c);
      }
    }
    if (i < begin_byte) {
      if (c == '\t') {
        marker.push_back('\t');
      } else {
        marker.append(width, ' ');
      }
    } else if (i < end_byte) {
      span_width += width;
    }
    i += length;
  }
  if (to < line.size()) out->append("...");
  out->append("\n");
  marker.push_back('^');
  if (span_width > 1) marker.append(span_width - 1, '~');
  out->append(marker).append("\n");
}

}  // namespace

std::string ShownText(std::string_view text) {
  std::string shown;
  for (size_t i = 0; i < text.size();) {
    char32_t c = 0;
    size_t length = DecodeUtf8(text.substr(i), &c);
    if (length > 0 && c == '\n') {
      shown.append("\\n");
    } else if (length > 0 && c == '\r') {
      shown.append("\\r");
    } else if (length > 0 && c == '\t') {
      shown.append("\\t");
    } else if (std::string escape = EscapeAt(text, i, &length, c); !escape.empty()) {
      shown.append(escape);
    } else {
      shown.append(text.substr(i, length));
    }
    i += length;
  }
  return shown;
}

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
  return Report(kind, Info(kind).severity, span, std::move(message));
}

Diagnostic& DiagnosticSink::Report(Kind kind, Severity severity, Span span, std::string message) {
  if (severity == Severity::kError) ++error_count_;
  if (diagnostics_.size() >= kMaxDiagnostics) {
    AddLeftOut(1, severity == Severity::kError ? 1 : 0);
    discarded_ = {};
    return discarded_;
  }
  if (span.valid() && (!last_span_.valid() || span.file > last_span_.file ||
                       (span.file == last_span_.file && span.begin > last_span_.begin))) {
    last_span_ = Span{span.file, span.begin, span.begin};
  }
  Diagnostic& diagnostic = diagnostics_.emplace_back();
  diagnostic.kind = kind;
  diagnostic.severity = severity;
  diagnostic.span = span;
  diagnostic.message = std::move(message);
  return diagnostic;
}

void DiagnosticSink::WriteSummary(Diagnostic& summary, size_t count, size_t errors) const {
  summary.kind = Kind::kDiagnosticsLeftOut;
  // It takes the latest position reported, so that it sorts last and has a location.
  summary.span = last_span_;
  // Reports that read only the kept diagnostics, such as `kfpc check`'s exit status and JSON
  // error count, must still find an error that was left out.
  summary.severity = errors > 0 ? Severity::kError : Info(Kind::kDiagnosticsLeftOut).severity;
  summary.message =
      fmt::format("{} more diagnostics ({} of them errors) are not shown, past the limit of {}",
                  count, errors, kMaxDiagnostics);
  summary.help = "fix the diagnostics above and run kfpc again to see the rest";
}

void DiagnosticSink::AddLeftOut(size_t count, size_t errors) {
  Diagnostic& last = diagnostics_.back();
  if (left_out_ == 0) {
    // The 1000th kept diagnostic is replaced by the count, and counts itself, unless it is a
    // count that CountLeftOut appended.
    bool summary = last.kind == Kind::kDiagnosticsLeftOut && summary_count_ > 0;
    left_out_ = summary ? summary_count_ : 1;
    left_out_errors_ = summary ? summary_errors_ : (last.severity == Severity::kError ? 1 : 0);
  }
  left_out_ += count;
  left_out_errors_ += errors;
  WriteSummary(last, left_out_, left_out_errors_);
}

void DiagnosticSink::CountLeftOut(size_t count, size_t errors) {
  if (count == 0) return;
  error_count_ += errors;
  if (left_out_ > 0 || diagnostics_.size() >= kMaxDiagnostics) {
    AddLeftOut(count, errors);
    return;
  }
  // There is room: one diagnostic reports them, and later reports are kept after it.
  WriteSummary(diagnostics_.emplace_back(), count, errors);
  summary_count_ = count;
  summary_errors_ = errors;
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
