#pragma once

// State shared by the checker's passes: the sources, the diagnostic sink, the program being built
// and the table of top-level declarations of every loaded file. Internal to compiler/check.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/suggest.h"
#include "compiler/parse/limits.h"
#include "compiler/sema/program.h"

namespace kfpc::check {

// A top-level declaration visible to every file of the compilation.
struct Symbol {
  const ast::Decl* decl = nullptr;
  sema::ArtifactType artifact;             // artifact types
  sema::Component* component = nullptr;    // components, and pipelines called as components
  sema::Pipeline* pipeline = nullptr;      // pipelines
  bool valid = true;                       // false when the declaration had errors
};

struct Context {
  diag::SourceManager& sources;
  diag::DiagnosticSink& sink;
  sema::Program& program;
  // Artifact types and components by name.
  std::map<std::string, Symbol> symbols;
  // Pipelines by name. A pipeline may share its name with a component, because the KFP SDK
  // names the pipeline's IR after it. A task that calls such a name calls the component.
  std::map<std::string, Symbol> pipelines;
  // "owner.input" for inputs left out of an interface because their type had an error, so that
  // arguments for them are accepted without a second message.
  std::set<std::string> broken_inputs;
  // True when an import could not be loaded. A name that is unknown then, with no close match
  // among the known names, may be declared in the missing file, so it is not reported again.
  bool import_failed = false;
  // For each component called so far, its inputs that a call must pass or that get a task's
  // final status: all others are optional. A call checks these, not all inputs, so that calls to
  // a component with thousands of optional inputs take time linear in their arguments.
  std::unordered_map<const sema::Component*, std::vector<const sema::InputDef*>> checked_inputs;
  // How many more unknown names may be compared with the known ones for a "did you mean".
  // Each search reads every candidate, so without a limit a file of misspelled names would
  // take time quadratic in its length.
  size_t suggestions_left = parse::kMaxSuggestions;

  // Returns true, and counts one search, while the limit of searches is not reached.
  bool TakeSuggestion() {
    if (suggestions_left == 0) return false;
    --suggestions_left;
    return true;
  }

  // The component, artifact type or pipeline declared with this name, or null.
  Symbol* Find(const std::string& name) {
    auto it = symbols.find(name);
    if (it != symbols.end()) return &it->second;
    it = pipelines.find(name);
    return it != pipelines.end() ? &it->second : nullptr;
  }

  // Spans of declarations with syntax errors. The parser's recovery leaves their trees partial,
  // so checker messages inside them are dropped into `dropped` rather than shown.
  std::vector<diag::Span> broken_declarations;
  diag::DiagnosticSink dropped;

  // Returns true when `span` starts inside a declaration with syntax errors.
  bool InBrokenDeclaration(diag::Span span) const {
    for (const diag::Span& broken : broken_declarations) {
      if (span.file == broken.file && span.begin >= broken.begin && span.begin < broken.end) {
        return true;
      }
    }
    return false;
  }

  diag::Diagnostic& Report(diag::Kind kind, diag::Span span, std::string message) {
    if (InBrokenDeclaration(span)) return dropped.Report(kind, span, std::move(message));
    return sink.Report(kind, span, std::move(message));
  }

  // Reports a call that does not match the interface of the component or pipeline declared at
  // `declaration`: an unknown or missing argument, or an unknown output. When that declaration
  // has syntax errors, its interface is partial and the message only follows from them, so it
  // goes to `dropped`.
  diag::Diagnostic& ReportInterfaceMismatch(diag::Span declaration, diag::Kind kind,
                                            diag::Span span, std::string message) {
    if (InBrokenDeclaration(declaration)) return dropped.Report(kind, span, std::move(message));
    return Report(kind, span, std::move(message));
  }
};

using diag::ClosestName;
using diag::DidYouMean;

// Returns a fix that replaces `span` with `replacement`, or nothing when the source text of
// `span` is not exactly `expected_text`. The check keeps a fix from rewriting text that a span
// covers only approximately, such as a name inside an escaped string.
std::optional<diag::Fix> ReplacementFix(const diag::SourceManager& sources, diag::Span span,
                                       const std::string& expected_text,
                                       const std::string& replacement, std::string title);

// Sets `d.help` to "did you mean `x`" for the candidate `x` closest to `name`, and attaches a
// fix that replaces `span` with `x` when `span` covers `name` as written, bare or in double
// quotes. Leaves `d` unchanged when no candidate is close enough, or when the run has used up
// its kMaxSuggestions searches. In that case it does not call `candidates`.
void SuggestName(Context& context, diag::Diagnostic& d, const std::string& name,
                 const std::function<std::vector<std::string>()>& candidates, diag::Span span);
void SuggestName(Context& context, diag::Diagnostic& d, const std::string& name,
                 const std::vector<std::string>& candidates, diag::Span span);
// The candidate closest to `name`, as SuggestName finds it, or "" when none is close or the
// limit of searches is reached.
std::string ClosestKnownName(Context& context, const std::string& name,
                             const std::function<std::vector<std::string>()>& candidates);
// Sets `d.help` and the fix for `closest`, found by ClosestKnownName; does nothing when it is "".
void SuggestClosest(Context& context, diag::Diagnostic& d, const std::string& name,
                    const std::string& closest, diag::Span span);

// Joins names as "`a`, `b` and `c`", or with another final conjunction such as "or". After
// kListedNames names it writes "and N more" instead of the rest. `total`, when larger than
// names.size(), is the length of a list of which `names` is the start.
std::string JoinNames(const std::vector<std::string>& names, const std::string& conjunction = "and",
                      size_t total = 0);
inline constexpr size_t kListedNames = 16;

// JoinNames of `prefix` + the `name` of each entry, reading only the entries that it lists, so
// that a help about one of thousands of inputs costs no more than one about a few.
template <typename T>
std::string JoinEntryNames(const std::vector<T>& entries, const std::string& conjunction = "and",
                           const std::string& prefix = "") {
  std::vector<std::string> names;
  for (size_t i = 0; i < entries.size() && i < kListedNames; ++i) {
    names.push_back(prefix + entries[i].name);
  }
  return JoinNames(names, conjunction, entries.size());
}

}  // namespace kfpc::check
