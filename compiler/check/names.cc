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

std::string ClosestKnownName(Context& context, const std::string& name,
                             const std::function<std::vector<std::string>()>& candidates) {
  if (!context.TakeSuggestion()) return "";
  return ClosestName(name, candidates());
}

void SuggestName(Context& context, diag::Diagnostic& d, const std::string& name,
                 const std::function<std::vector<std::string>()>& candidates, diag::Span span) {
  SuggestClosest(context, d, name, ClosestKnownName(context, name, candidates), span);
}

void SuggestName(Context& context, diag::Diagnostic& d, const std::string& name,
                 const std::vector<std::string>& candidates, diag::Span span) {
  if (!context.TakeSuggestion()) return;
  SuggestClosest(context, d, name, ClosestName(name, candidates), span);
}

void SuggestClosest(Context& context, diag::Diagnostic& d, const std::string& name,
                    const std::string& closest, diag::Span span) {
  if (closest.empty()) return;
  d.help = "did you mean `" + closest + "`";
  std::string title = "replace with `" + closest + "`";
  d.fix = ReplacementFix(context.sources, span, name, closest, title);
  // A string value such as an enum setting is written in quotes, which the span covers.
  if (!d.fix) d.fix = ReplacementFix(context.sources, span, "\"" + name + "\"",
                                     "\"" + closest + "\"", title);
}

std::string JoinNames(const std::vector<std::string>& names, const std::string& conjunction,
                      size_t total) {
  total = std::max(total, names.size());
  std::string out;
  // Past the limit, the list ends with "and N more" in place of the last names.
  size_t listed = total <= kListedNames ? total : kListedNames - 1;
  for (size_t i = 0; i < listed; ++i) {
    if (i > 0) out += i + 1 == total ? " " + conjunction + " " : ", ";
    out += "`" + names[i] + "`";
  }
  if (listed < total) out += " and " + std::to_string(total - listed) + " more";
  return out;
}

}  // namespace kfpc::check
