#pragma once

// The size limits of the language (docs/language.md, "Limits"). Each keeps parsing, checking
// and lowering far from a stack overflow or a super-linear blow-up; an input over a limit gets a
// diagnostic at the first place it is exceeded.

#include <cstddef>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"

namespace antlr4 {
class Token;
}

namespace kfpc::parse {

class SyntaxErrorReporter;

// The largest source file, in bytes. Readers stop after kMaxFileBytes + 1 bytes, which is enough
// to know that a file is over the limit.
inline constexpr size_t kMaxFileBytes = size_t{8} << 20;
// The maximum length of a string literal in bytes, delimiters and escapes included.
inline constexpr size_t kMaxStringBytes = size_t{1} << 20;
// The maximum number of tasks in one pipeline, counting the tasks inside `if`, `for` and `try`.
inline constexpr size_t kMaxTasksPerPipeline = 10000;
// The maximum number of branches of one `if` / `else if` / `else` chain. Each branch's condition
// repeats the negation of every earlier one, as the KFP SDK writes it, so the IR grows with the
// square of the chain's length.
inline constexpr size_t kMaxIfBranches = 128;
// The maximum number of syntax errors the parser reports in one file; at the next one it stops.
// Each error can leave the parser one level deeper without a bracket in the text to count, and
// some recoveries walk all the levels, so without a limit `x = not if not if ...` took time
// quadratic in its length and could overflow the stack.
inline constexpr size_t kMaxSyntaxErrors = 100;
// The maximum number of times the parser recovers from a syntax error in one file, counting the
// errors it does not report because they follow another one with no token that fits between.
// Each recovery costs an exception, about 10 microseconds.
inline constexpr size_t kMaxSyntaxRecoveries = 10000;
// The maximum depth of pipelines calling pipelines: a pipeline that calls none has depth 1. Each
// level is a sub-DAG in the IR, and lowering nests as deep.
inline constexpr size_t kMaxPipelineDepth = 64;
// The maximum length of a name, in bytes. Messages quote names, and one declared name can be used
// thousands of times: without a limit, a file of 411 KB printed 400 MB of diagnostics.
inline constexpr size_t kMaxNameBytes = 256;
// The maximum number of unknown names in one compilation that are compared with the known names
// for a "did you mean" help. Later ones get none.
inline constexpr size_t kMaxSuggestions = 100;
// The maximum depth of the import chain from the root file (the root file imports at depth 1).
inline constexpr size_t kMaxImportDepth = 64;

// Reports and returns false when `text` is longer than kMaxFileBytes.
bool CheckFileSize(std::string_view text, diag::FileId file, diag::DiagnosticSink& sink);

// Reports each string literal token longer than kMaxStringBytes.
void CheckStringLengths(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter);

// Reports the first name longer than kMaxNameBytes and returns false, so that the file is not
// parsed further. Returns true when every name is within the limit.
bool CheckNameLengths(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter);

// Reports each pipeline of `file` that calls more than kMaxTasksPerPipeline tasks and empties
// its body, so that later phases never see it whole. Also reports each `if` chain with more
// than kMaxIfBranches branches.
void CheckTaskCounts(ast::File& file, diag::DiagnosticSink& sink);

}  // namespace kfpc::parse
