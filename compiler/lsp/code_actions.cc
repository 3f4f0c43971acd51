#include "compiler/lsp/code_actions.h"

#include <string>
#include <vector>

#include "compiler/lsp/diagnostics.h"

namespace kfpc::lsp {

namespace {

bool Before(const Position& a, const Position& b) {
  return a.line < b.line || (a.line == b.line && a.character < b.character);
}

// Returns true when the ranges overlap or touch, so that a cursor (an empty range) at either end
// of a diagnostic still selects it.
bool Touches(const Range& a, const Range& b) { return !Before(a.end, b.start) && !Before(b.end, a.start); }

// Returns true when `only` (CodeActionKind values) admits `quickfix`, the kind of every action
// here. A missing `only` and the empty kind admit every kind.
bool AllowsQuickFix(const nlohmann::json& only) {
  if (!only.is_array()) return true;
  for (const nlohmann::json& kind : only) {
    if (!kind.is_string()) continue;
    std::string text = kind.get<std::string>();
    if (text.empty() || text == "quickfix") return true;
  }
  return false;
}

bool SameCode(const nlohmann::json& sent, const nlohmann::json& published) {
  return !sent.contains("code") || sent["code"] == published["code"];
}

// A fixable diagnostic with its LSP form and range.
struct Candidate {
  const diag::Diagnostic* diagnostic;
  nlohmann::json published;
  Range range;
};

// Returns the candidates that the client's diagnostic `sent` refers to: those with its code and
// range. When none has its range, those with its code and message whose range touches the
// request's `range`. The fallback serves clients that send the range in another encoding, such
// as neovim 0.7.2, whose vim.lsp.diagnostic.get_line_diagnostics returns byte columns.
std::vector<size_t> Matches(const nlohmann::json& sent, const std::vector<Candidate>& candidates,
                            const Range& range) {
  std::vector<size_t> matches;
  if (!sent.is_object()) return matches;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const nlohmann::json& published = candidates[i].published;
    if (SameCode(sent, published) && sent.value("range", nlohmann::json()) == published["range"]) {
      matches.push_back(i);
    }
  }
  if (!matches.empty()) return matches;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const nlohmann::json& published = candidates[i].published;
    if (SameCode(sent, published) && sent.value("message", nlohmann::json()) == published["message"] &&
        Touches(candidates[i].range, range)) {
      matches.push_back(i);
    }
  }
  return matches;
}

}  // namespace

nlohmann::json CodeActions(const Request& request, const nlohmann::json& params) {
  nlohmann::json actions = nlohmann::json::array();
  nlohmann::json context = params.value("context", nlohmann::json::object());
  if (!AllowsQuickFix(context.value("only", nlohmann::json()))) return actions;
  Range range{PositionFromJson(params.at("range").at("start")),
              PositionFromJson(params.at("range").at("end"))};
  nlohmann::json sent = context.value("diagnostics", nlohmann::json::array());
  if (!sent.is_array()) sent = nlohmann::json::array();

  const Analysis& analysis = request.analysis;
  std::vector<Candidate> candidates;
  for (const diag::Diagnostic& diagnostic : analysis.sink.diagnostics()) {
    if (!diagnostic.fix || !diagnostic.fix->span.valid()) continue;
    diag::Span span = ShownSpan(analysis, diagnostic);
    // A fix belongs to the document whose diagnostics list shows it.
    if (span.file != request.file || diagnostic.fix->span.file >= analysis.sources.file_count()) {
      continue;
    }
    candidates.push_back({&diagnostic,
                          ConvertDiagnostic(analysis, diagnostic, request.encoding, request.uri_of),
                          request.ToRange(span)});
  }

  std::vector<bool> selected(candidates.size(), false);
  for (size_t i = 0; sent.empty() && i < candidates.size(); ++i) {
    selected[i] = Touches(candidates[i].range, range);
  }
  for (const nlohmann::json& item : sent) {
    for (size_t i : Matches(item, candidates, range)) selected[i] = true;
  }

  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!selected[i]) continue;
    const diag::Fix& fix = *candidates[i].diagnostic->fix;
    nlohmann::json edit = {{"range", ToJson(request.ToRange(fix.span))},
                           {"newText", fix.replacement}};
    nlohmann::json changes = nlohmann::json::object();
    changes[request.uri_of(fix.span.file)] = nlohmann::json::array({std::move(edit)});
    actions.push_back({{"title", fix.title.empty() ? "apply the suggested fix" : fix.title},
                       {"kind", "quickfix"},
                       {"diagnostics", nlohmann::json::array({candidates[i].published})},
                       {"isPreferred", true},
                       {"edit", {{"changes", std::move(changes)}}}});
  }
  return actions;
}

}  // namespace kfpc::lsp
