#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "BaseErrorListener.h"
#include "DefaultErrorStrategy.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/parse/source_stream.h"
#include "compiler/parse/syntax_messages.h"

namespace kfpc::parse {

// Reports syntax errors as kfpc diagnostics, at most one per token, so that one mistake yields
// one message. Installed as the lexer's and parser's only error listener: nothing is printed.
class SyntaxErrorReporter : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorReporter(const SpanMap& spans, diag::DiagnosticSink& sink)
      : spans_(spans), sink_(sink) {}

  // Reports `message` at `span` on behalf of `token`. When an error was already reported at
  // that token, reports nothing and returns a diagnostic that is thrown away.
  diag::Diagnostic& Report(diag::Kind kind, const antlr4::Token* token, diag::Span span,
                           std::string message);
  // From now on, reports at most `limit` errors more. The one after them reports that the rest
  // of the file is not read, and throws TooManySyntaxErrors.
  void LimitErrors(size_t limit) {
    error_limit_ = limit;
    errors_ = 0;
  }
  // Reports at `span` that the parser stops for `reason` and throws TooManySyntaxErrors.
  [[noreturn]] void Stop(diag::Span span, const std::string& reason);
  // Counts `token` as reported, by an error that is not about one token.
  void MarkReported(const antlr4::Token* token) { reported_tokens_.insert(token->getTokenIndex()); }
  const SpanMap& spans() const { return spans_; }

  // Reports ANTLR's own messages. SyntaxErrorStrategy words every parser error itself and the
  // lexer cannot fail, because ERROR_CHAR matches any character, so this is only a fallback.
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& message, std::exception_ptr error) override;

 private:
  const SpanMap& spans_;
  diag::DiagnosticSink& sink_;
  std::unordered_set<size_t> reported_tokens_;
  diag::Diagnostic discarded_;
  size_t error_limit_ = 0;  // 0: no limit
  size_t errors_ = 0;
};

// Thrown by SyntaxErrorReporter::Report past the limit set by LimitErrors, to stop the parser.
struct TooManySyntaxErrors {};

// ANTLR's default recovery with kfpc's wording: each report names what was expected, where, and
// what was found instead.
class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  explicit SyntaxErrorStrategy(SyntaxErrorReporter& reporter) : reporter_(reporter) {}

 protected:
  // Before ANTLR's recovery, skips the rest of an unfinished bracketed list up to its closing
  // token, so that the tokens left in it do not cause more errors.
  void recover(antlr4::Parser* parser, std::exception_ptr e) override;
  // The same decisions as ANTLR's sync(), without copying the state's token set on every loop
  // iteration and subrule entry, as the 4.9 runtime does.
  void sync(antlr4::Parser* parser) override;
  // The union of the tokens that can follow each rule on the stack, as ANTLR computes it, but
  // without copying each rule's follow set first. With sync() above, parsing the compile
  // fuzzer's inputs takes 12 % fewer allocations.
  antlr4::misc::IntervalSet getErrorRecoverySet(antlr4::Parser* parser) override;
  // Also recovers from a few tokens too many before a `{`, as in `if x = 1 {`.
  antlr4::Token* recoverInline(antlr4::Parser* parser) override;
  // Never drops an opening bracket as one token too many, since the bracket pairs would no longer
  // match (recover() skips the bracketed run instead), nor a declaration keyword, which shows
  // that the declaration before it is not closed.
  antlr4::Token* singleTokenDeletion(antlr4::Parser* parser) override;
  // ANTLR's skipping up to a token in `set`, except that an opening bracket among the skipped
  // tokens is skipped with everything up to its closing bracket. Resuming inside the brackets
  // would read what is left there out of context: in `elif x {` followed by the lines of a
  // block, its `}` would close the enclosing block, and the enclosing block's `}` would be
  // reported as unmatched.
  void consumeUntil(antlr4::Parser* parser, const antlr4::misc::IntervalSet& set) override;
  void reportNoViableAlternative(antlr4::Parser* parser,
                                 const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* parser,
                           const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* parser,
                             const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* parser) override;
  void reportMissingToken(antlr4::Parser* parser) override;

 private:
  antlr4::Token* SkipToBrace(antlr4::Parser* parser);
  // Reports that `expected` was wanted in `ctx` but `found` came.
  void ReportExpected(antlr4::Parser* parser, antlr4::ParserRuleContext* ctx, antlr4::Token* found,
                      const antlr4::misc::IntervalSet& expected, bool missing);

  bool AfterPrevious(antlr4::Parser* parser, antlr4::Token* found, bool missing, bool unexpected);
  // Reports `words` at `found`, or right after the token before it when `after_previous` is set.
  void Emit(antlr4::Parser* parser, antlr4::Token* found, const SyntaxMessage& words,
            bool after_previous);
  // Whether the closing bracket at token `index` closes an opening bracket of its kind before it.
  // The brackets of the whole file are matched once, on the first call.
  bool ClosesABracket(antlr4::TokenStream* tokens, size_t index);

  // The first token on the default channel from token `index` on that is a bracket, the end of
  // the file, or on a later line than the one before it. Computed for the whole file on the first
  // call.
  size_t StopOnLine(antlr4::TokenStream* tokens, size_t index);

  SyntaxErrorReporter& reporter_;
  std::vector<bool> closes_a_bracket_;  // by token index; empty until first needed
  std::vector<size_t> stop_on_line_;    // by token index; empty until first needed
  size_t recoveries_ = 0;
};

}  // namespace kfpc::parse
