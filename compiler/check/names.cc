#include <algorithm>
#include <optional>

#include "compiler/check/context.h"

namespace kfpc::check {

std::optional<diag::Fix> ReplacementFix(const diag::SourceManager& sources, diag::Span span,
                                       const std::string& expected_text,
                                       const std::string& replacement, std::string title) {
  if (!span.valid() || span.file >= sources.file_count() || span.end < span.begin) {
    return std::nullopt;
  }
  const std::string& contents = sources.contents(span.file);
  if (span.end > contents.size()) return std::nullopt;
  if (contents.compare(span.begin, span.end - span.begin, expected_text) != 0) return std::nullopt;
  return diag::Fix{span, replacement, std::move(title)};
}

void SuggestName(Context& context, diag::Diagnostic& d, const std::string& name,
                 const std::vector<std::string>& candidates, diag::Span span) {
  std::string closest = ClosestName(name, candidates);
  if (closest.empty()) return;
  d.help = "did you mean `" + closest + "`";
  std::string title = "replace with `" + closest + "`";
  d.fix = ReplacementFix(context.sources, span, name, closest, title);
  // A string value such as an enum setting is written in quotes, which the span covers.
  if (!d.fix) d.fix = ReplacementFix(context.sources, span, "\"" + name + "\"",
                                     "\"" + closest + "\"", title);
}

std::string JoinNames(const std::vector<std::string>& names, const std::string& conjunction) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " " + conjunction + " " : ", ";
    out += "`" + names[i] + "`";
  }
  return out;
}

}  // namespace kfpc::check
