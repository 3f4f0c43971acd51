#include "compiler/report/sarif_report.h"

#include <fmt/format.h>

namespace kfpc::report {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr const char* kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* kRootBaseId = "%SRCROOT%";

// Turns a kind name such as `UnterminatedString` into "Unterminated string".
std::string DescribeKind(std::string_view name) {
  std::string text;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (i > 0 && c >= 'A' && c <= 'Z') {
      text.push_back(' ');
      c = static_cast<char>(c - 'A' + 'a');
    }
    text.push_back(c);
  }
  return text;
}

Json RulesJson() {
  Json rules = Json::array();
  for (diag::Kind kind : diag::AllKinds()) {
    const diag::KindInfo& info = diag::Info(kind);
    rules.push_back({{"id", info.code},
                     {"name", info.name},
                     {"shortDescription", {{"text", DescribeKind(info.name)}}},
                     {"defaultConfiguration", {{"level", SeverityName(info.severity)}}}});
  }
  return rules;
}

// Returns `{"uri", "uriBaseId"}` for a path as kfpc printed it.
Json ArtifactLocationJson(const std::string& path, const SarifOptions& options) {
  fs::path absolute = (options.working_directory / fs::path(path)).lexically_normal();
  fs::path relative = absolute.lexically_relative(options.root);
  if (!relative.empty() && *relative.begin() != "..") {
    return {{"uri", EncodeUriPath(relative.generic_string())}, {"uriBaseId", kRootBaseId}};
  }
  return {{"uri", "file://" + EncodeUriPath(absolute.generic_string())}};
}

// SARIF `charOffset` counts characters, so the byte offsets of kfpc spans go in `byteOffset`.
Json RegionJson(const SourceRegion& region) {
  return {{"startLine", region.start.line},
          {"startColumn", region.start.utf16_column},
          {"endLine", region.end.line},
          {"endColumn", region.end.utf16_column},
          {"byteOffset", region.start.offset},
          {"byteLength", region.end.offset - region.start.offset}};
}

Json PhysicalLocationJson(const diag::SourceManager& sources, const diag::Span& span,
                          const SarifOptions& options) {
  return {{"artifactLocation", ArtifactLocationJson(sources.path(span.file), options)},
          {"region", RegionJson(RegionOf(sources, span))}};
}

// The message text: the message, then the notes and the help, one per line, as the text output
// prints them.
std::string MessageText(const diag::Diagnostic& diagnostic) {
  std::string text = diagnostic.message;
  for (const std::string& note : diagnostic.notes) text += fmt::format("\nnote: {}", note);
  if (!diagnostic.help.empty()) text += fmt::format("\nhelp: {}", diagnostic.help);
  return text;
}

Json FixJson(const diag::SourceManager& sources, const diag::Fix& fix,
             const SarifOptions& options) {
  Json location = PhysicalLocationJson(sources, fix.span, options);
  Json replacement = {{"deletedRegion", location["region"]},
                      {"insertedContent", {{"text", fix.replacement}}}};
  Json change = {{"artifactLocation", location["artifactLocation"]},
                 {"replacements", Json::array({std::move(replacement)})}};
  Json json = {{"artifactChanges", Json::array({std::move(change)})}};
  if (!fix.title.empty()) json["description"] = {{"text", fix.title}};
  return json;
}

Json ResultJson(const CheckedFile& file, const diag::Diagnostic& diagnostic,
                const SarifOptions& options) {
  const diag::KindInfo& info = diag::Info(diagnostic.kind);
  Json result = {{"ruleId", info.code},
                 {"ruleIndex", static_cast<size_t>(diagnostic.kind)},
                 {"level", SeverityName(diagnostic.severity)},
                 {"message", {{"text", MessageText(diagnostic)}}}};
  result["locations"] = Json::array(
      {{{"physicalLocation", PhysicalLocationJson(file.sources, diagnostic.span, options)}}});
  Json related = Json::array();
  for (const diag::Label& label : diagnostic.labels) {
    if (!label.span.valid()) continue;
    related.push_back({{"id", related.size()},
                       {"physicalLocation",
                        PhysicalLocationJson(file.sources, label.span, options)},
                       {"message", {{"text", label.message}}}});
  }
  if (!related.empty()) result["relatedLocations"] = std::move(related);
  if (diagnostic.fix && diagnostic.fix->span.valid()) {
    result["fixes"] = Json::array({FixJson(file.sources, *diagnostic.fix, options)});
  }
  return result;
}

Json NotificationJson(const CheckedFile& file, const diag::Diagnostic& diagnostic,
                      const SarifOptions& options) {
  const diag::KindInfo& info = diag::Info(diagnostic.kind);
  return {{"level", SeverityName(diagnostic.severity)},
          {"message", {{"text", MessageText(diagnostic)}}},
          {"locations",
           Json::array({{{"physicalLocation",
                          {{"artifactLocation", ArtifactLocationJson(file.path, options)}}}}})},
          {"associatedRule",
           {{"id", info.code}, {"index", static_cast<size_t>(diagnostic.kind)}}}};
}

}  // namespace

std::string EncodeUriPath(const std::string& path) {
  std::string encoded;
  for (char c : path) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                      c == '/';
    if (unreserved) {
      encoded.push_back(c);
    } else {
      encoded += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return encoded;
}

nlohmann::ordered_json SarifReport(const std::vector<CheckedFile>& files,
                                   const SarifOptions& options) {
  Json results = Json::array();
  Json notifications = Json::array();
  for (const CheckedFile& file : files) {
    for (const diag::Diagnostic* diagnostic : SortedByPosition(file.diagnostics)) {
      if (diagnostic->span.valid()) {
        results.push_back(ResultJson(file, *diagnostic, options));
      } else {
        notifications.push_back(NotificationJson(file, *diagnostic, options));
      }
    }
  }
  Json invocation = {{"executionSuccessful", notifications.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);

  std::string root_uri = "file://" + EncodeUriPath(options.root.generic_string());
  if (!root_uri.ends_with('/')) root_uri.push_back('/');
  Json driver = {{"name", "kfpc"}, {"version", options.tool_version}, {"rules", RulesJson()}};
  Json run = {{"tool", {{"driver", std::move(driver)}}},
              {"originalUriBaseIds", {{kRootBaseId, {{"uri", root_uri}}}}},
              {"invocations", Json::array({std::move(invocation)})},
              {"columnKind", "utf16CodeUnits"},
              {"results", std::move(results)}};
  return {{"$schema", kSchemaUri},
          {"version", "2.1.0"},
          {"runs", Json::array({std::move(run)})}};
}

}  // namespace kfpc::report
