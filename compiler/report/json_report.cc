#include "compiler/report/json_report.h"

namespace kfpc::report {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;

Json PointJson(const SourcePoint& point) {
  return {{"line", point.line},
          {"byteColumn", point.byte_column},
          {"utf16Column", point.utf16_column},
          {"offset", point.offset}};
}

// `{"file", "start", "end"}` for a valid span, null otherwise.
Json LocationJson(const diag::SourceManager& sources, const diag::Span& span) {
  if (!span.valid()) return nullptr;
  SourceRegion region = RegionOf(sources, span);
  return {{"file", sources.path(span.file)},
          {"start", PointJson(region.start)},
          {"end", PointJson(region.end)}};
}

Json DiagnosticJson(const CheckedFile& file, const diag::Diagnostic& diagnostic) {
  const diag::KindInfo& info = diag::Info(diagnostic.kind);
  Json labels = Json::array();
  for (const diag::Label& label : diagnostic.labels) {
    labels.push_back({{"message", label.message},
                      {"location", LocationJson(file.sources, label.span)}});
  }
  Json fix = nullptr;
  if (diagnostic.fix) {
    fix = {{"title", diagnostic.fix->title},
           {"replacement", diagnostic.fix->replacement},
           {"location", LocationJson(file.sources, diagnostic.fix->span)}};
  }
  // A diagnostic without a location is about the checked path itself (it failed to read).
  std::string path =
      diagnostic.span.valid() ? file.sources.path(diagnostic.span.file) : file.path;
  return {{"file", path},
          {"code", info.code},
          {"name", info.name},
          {"severity", SeverityName(diagnostic.severity)},
          {"message", diagnostic.message},
          {"help", diagnostic.help},
          {"notes", diagnostic.notes},
          {"location", LocationJson(file.sources, diagnostic.span)},
          {"labels", std::move(labels)},
          {"fix", std::move(fix)}};
}

}  // namespace

nlohmann::ordered_json JsonReport(const std::vector<CheckedFile>& files) {
  Json diagnostics = Json::array();
  size_t errors = 0;
  size_t warnings = 0;
  for (const CheckedFile& file : files) {
    for (const diag::Diagnostic* diagnostic : SortedByPosition(file.diagnostics)) {
      diagnostics.push_back(DiagnosticJson(file, *diagnostic));
      if (diagnostic->severity == diag::Severity::kError) ++errors;
      if (diagnostic->severity == diag::Severity::kWarning) ++warnings;
    }
  }
  Json checked = Json::array();
  for (const CheckedFile& file : files) checked.push_back(file.path);
  return {{"formatVersion", kFormatVersion},
          {"files", std::move(checked)},
          {"errorCount", errors},
          {"warningCount", warnings},
          {"diagnostics", std::move(diagnostics)}};
}

}  // namespace kfpc::report
