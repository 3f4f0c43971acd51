#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/source_manager.h"

namespace kfpc::diag {

enum class Severity { kError, kWarning, kNote };

// Registered diagnostic kinds; see diagnostic_kinds.def.
enum class Kind {
#define KFPC_DIAGNOSTIC(name, code, severity) k##name,
#include "compiler/diagnostics/diagnostic_kinds.def"
#undef KFPC_DIAGNOSTIC
};

struct KindInfo {
  std::string_view name;
  std::string_view code;
  Severity severity;
};

const KindInfo& Info(Kind kind);
// All registered kinds, in declaration order.
const std::vector<Kind>& AllKinds();

// A secondary location with its own message ("first declared here").
struct Label {
  Span span;
  std::string message;
};

// A machine-applicable edit: replace the text of `span` with `replacement`.
struct Fix {
  Span span;
  std::string replacement;
  std::string title;  // shown by code actions, e.g. "insert `,`"
};

// One finding. `message` is lowercase with no trailing period and names things in backticks;
// `help` says how to fix it.
struct Diagnostic {
  Kind kind = Kind::kSyntaxError;
  Severity severity = Severity::kError;
  Span span;
  std::string message;
  std::vector<Label> labels;
  std::vector<std::string> notes;
  std::string help;
  std::optional<Fix> fix;
};

// Collects diagnostics from every phase. Phases report and carry on; only the driver decides
// what to print and which exit status to use.
// The maximum number of diagnostics a sink keeps. Past it, reports are counted but not kept, and
// the last kept diagnostic is replaced by a count of those left out. Generated input can contain
// an error every few bytes: a megabyte string of `\q` would otherwise keep half a million.
inline constexpr size_t kMaxDiagnostics = 1000;

class DiagnosticSink {
 public:
  // Starts a diagnostic of a registered kind with the kind's default severity and returns it so
  // that the caller can add help, labels and a fix. Past kMaxDiagnostics the diagnostic returned
  // is thrown away, but an error still counts in error_count().
  Diagnostic& Report(Kind kind, Span span, std::string message);
  // The same with another severity than the kind's, such as a warning for a check that is an
  // error only in a strict mode.
  Diagnostic& Report(Kind kind, Severity severity, Span span, std::string message);

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // The reports past kMaxDiagnostics, and how many of them are errors.
  size_t left_out() const { return left_out_; }
  size_t left_out_errors() const { return left_out_errors_; }
  // Counts `count` diagnostics, `errors` of them errors, that another sink left out, so that
  // copying a sink's kept diagnostics into this one loses no error.
  void CountLeftOut(size_t count, size_t errors);
  size_t error_count() const { return error_count_; }
  bool has_errors() const { return error_count_ > 0; }
  void Clear() {
    diagnostics_.clear();
    error_count_ = 0;
    left_out_ = 0;
    left_out_errors_ = 0;
    summary_count_ = 0;
    summary_errors_ = 0;
    last_span_ = {};
  }

 private:
  // Counts `count` more diagnostics past kMaxDiagnostics, `errors` of them errors, in the summary
  // that replaces the last kept diagnostic.
  void AddLeftOut(size_t count, size_t errors);
  // Makes `summary` the count of `count` diagnostics left out, `errors` of them errors.
  void WriteSummary(Diagnostic& summary, size_t count, size_t errors) const;

  std::vector<Diagnostic> diagnostics_;
  size_t error_count_ = 0;
  size_t left_out_ = 0;  // reports past kMaxDiagnostics
  size_t left_out_errors_ = 0;
  // What the last kept diagnostic stands for when CountLeftOut appended it: replacing it must
  // keep these in the count.
  size_t summary_count_ = 0;
  size_t summary_errors_ = 0;
  Span last_span_;  // the start of the kept diagnostic that comes last in the input
  Diagnostic discarded_;
};

// Returns `text`, a piece of the input that a message quotes, in a form that prints on one line.
// A newline, carriage return or tab becomes `\n`, `\r` or `\t`. Other control characters and the
// invisible characters that reorder or hide text (U+202E, U+200B) become `<U+XXXX>`, as in the
// source snippet, and a byte that is not UTF-8 becomes `<XX>`.
std::string ShownText(std::string_view text);

// Renders `file:line:col: error: message`, the source line, a caret under the span, then labels,
// notes and the `help:` line. Ends with a newline.
std::string Render(const SourceManager& sources, const Diagnostic& diagnostic);

// Renders all diagnostics in order of file, then position.
std::string RenderAll(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics);

}  // namespace kfpc::diag
