#include "compiler/lsp/diagnostics.h"

namespace kfpc::lsp {

namespace {

// DiagnosticSeverity of LSP 3.17.
int Severity(diag::Severity severity) {
  switch (severity) {
    case diag::Severity::kError: return 1;
    case diag::Severity::kWarning: return 2;
    case diag::Severity::kNote: return 3;
  }
  return 1;
}

nlohmann::json Convert(const Analysis& analysis, const diag::Diagnostic& diagnostic,
                       diag::Span span, PositionEncoding encoding,
                       const std::function<std::string(diag::FileId)>& uri_of) {
  // LSP has no field for help and notes, so they follow the message on lines of their own, as
  // `kfpc build` prints them.
  std::string message = diagnostic.message;
  for (const std::string& note : diagnostic.notes) message += "\nnote: " + note;
  if (!diagnostic.help.empty()) message += "\nhelp: " + diagnostic.help;

  nlohmann::json json = {
      {"range", ToJson(SpanToRange(analysis.sources, span, encoding))},
      {"severity", Severity(diagnostic.severity)},
      {"code", std::string(diag::Info(diagnostic.kind).code)},
      {"source", "kfpc"},
      {"message", message},
  };
  nlohmann::json related = nlohmann::json::array();
  for (const diag::Label& label : diagnostic.labels) {
    if (!label.span.valid()) continue;
    Range range = SpanToRange(analysis.sources, label.span, encoding);
    related.push_back({{"location", {{"uri", uri_of(label.span.file)}, {"range", ToJson(range)}}},
                       {"message", label.message}});
  }
  if (!related.empty()) json["relatedInformation"] = std::move(related);
  return json;
}

}  // namespace

diag::Span ShownSpan(const Analysis& analysis, const diag::Diagnostic& diagnostic) {
  diag::Span span = diagnostic.span;
  if (!span.valid() || span.file >= analysis.sources.file_count()) span = {analysis.root, 0, 0};
  return span;
}

nlohmann::json ConvertDiagnostic(const Analysis& analysis, const diag::Diagnostic& diagnostic,
                                 PositionEncoding encoding,
                                 const std::function<std::string(diag::FileId)>& uri_of) {
  return Convert(analysis, diagnostic, ShownSpan(analysis, diagnostic), encoding, uri_of);
}

std::map<diag::FileId, nlohmann::json> ConvertDiagnostics(
    const Analysis& analysis, PositionEncoding encoding,
    const std::function<std::string(diag::FileId)>& uri_of) {
  std::map<diag::FileId, nlohmann::json> by_file;
  for (diag::FileId file = 0; file < analysis.sources.file_count(); ++file) {
    by_file[file] = nlohmann::json::array();
  }
  for (const diag::Diagnostic& diagnostic : analysis.sink.diagnostics()) {
    diag::Span span = ShownSpan(analysis, diagnostic);
    by_file[span.file].push_back(Convert(analysis, diagnostic, span, encoding, uri_of));
  }
  return by_file;
}

}  // namespace kfpc::lsp
