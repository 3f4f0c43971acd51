#include "compiler/parse/syntax_errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "InputMismatchException.h"
#include "KfLexer.h"
#include "KfParser.h"
#include "NoViableAltException.h"
#include "Parser.h"
#include "atn/ATN.h"
#include "atn/ATNState.h"
#include "atn/RuleTransition.h"
#include "compiler/parse/limits.h"

namespace kfpc::parse {

using grammar::KfLexer;

diag::Diagnostic& SyntaxErrorReporter::Report(diag::Kind kind, const antlr4::Token* token,
                                              diag::Span span, std::string message) {
  if (!reported_tokens_.insert(token->getTokenIndex()).second) {
    discarded_ = {};
    return discarded_;
  }
  if (error_limit_ != 0 && ++errors_ > error_limit_) {
    Stop(span, fmt::format("more than {} syntax errors", error_limit_));
  }
  return sink_.Report(kind, span, std::move(message));
}

void SyntaxErrorReporter::Stop(diag::Span span, const std::string& reason) {
  sink_.Report(diag::Kind::kTooManySyntaxErrors, span, reason + "; the rest of the file is not read")
      .help = "fix the errors above and run kfpc again";
  throw TooManySyntaxErrors{};
}

void SyntaxErrorReporter::syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t,
                                      const std::string& message, std::exception_ptr) {
  if (offending == nullptr) return;
  Report(diag::Kind::kSyntaxError, offending, spans_.Of(offending), message);
}

namespace {

bool IsOpener(size_t type) {
  return type == KfLexer::LPAREN || type == KfLexer::LBRACK || type == KfLexer::LBRACE;
}

bool IsCloser(size_t type) {
  return type == KfLexer::RPAREN || type == KfLexer::RBRACK || type == KfLexer::RBRACE;
}

size_t ClosingBracket(size_t opener) {
  switch (opener) {
    case KfLexer::LPAREN:
      return KfLexer::RPAREN;
    case KfLexer::LBRACK:
      return KfLexer::RBRACK;
    default:
      return KfLexer::RBRACE;
  }
}

bool IsDeclarationKeyword(size_t type) {
  return type == KfLexer::IMPORT || type == KfLexer::ARTIFACT || type == KfLexer::COMPONENT ||
         type == KfLexer::PIPELINE;
}

}  // namespace

void SyntaxErrorStrategy::sync(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  const antlr4::atn::ATN& atn = parser->getATN();
  const antlr4::misc::IntervalSet& next = atn.nextTokens(atn.states[parser->getState()]);
  if (next.contains(antlr4::Token::EPSILON) || next.contains(parser->getTokenStream()->LA(1))) {
    return;
  }
  // A token that cannot follow here: ANTLR's sync reports it and recovers.
  DefaultErrorStrategy::sync(parser);
}

antlr4::misc::IntervalSet SyntaxErrorStrategy::getErrorRecoverySet(antlr4::Parser* parser) {
  const antlr4::atn::ATN& atn = parser->getATN();
  antlr4::misc::IntervalSet recovery;
  for (antlr4::RuleContext* ctx = parser->getContext();
       ctx != nullptr && ctx->invokingState != antlr4::atn::ATNState::INVALID_STATE_NUMBER;
       ctx = static_cast<antlr4::RuleContext*>(ctx->parent)) {
    const auto* call =
        static_cast<const antlr4::atn::RuleTransition*>(atn.states[ctx->invokingState]->transitions[0]);
    recovery.addAll(atn.nextTokens(call->followState));
  }
  recovery.remove(antlr4::Token::EPSILON);
  return recovery;
}

void SyntaxErrorStrategy::recover(antlr4::Parser* parser, std::exception_ptr e) {
  // Only the first of a run of errors is reported, but each one costs an exception. A run
  // through a large file that nothing in it ends took seconds.
  if (++recoveries_ > kMaxSyntaxRecoveries) {
    antlr4::Token* token = parser->getCurrentToken();
    reporter_.Stop(reporter_.spans().Of(token),
                   fmt::format("the parser recovered from {} syntax errors, most of them not "
                               "reported because they follow another",
                               kMaxSyntaxRecoveries));
  }
  size_t closer = EnclosingCloser(parser->getContext());
  antlr4::TokenStream* tokens = parser->getTokenStream();
  size_t rule = parser->getContext() == nullptr ? 0 : parser->getContext()->getRuleIndex();
  bool next_line = false;  // the skip below stopped at the start of a later line
  if (closer == 0 &&
      (rule == grammar::KfParser::RuleStmt || rule == grammar::KfParser::RuleSetting)) {
    // A statement or setting that does not parse, such as `while x {` or `fn f() {`, is skipped
    // to the end of its line, with every bracketed run that opens there. Neither the block nor a
    // call in it is then read as a statement of its own.
    size_t line = tokens->LT(1)->getLine();
    for (int depth = 0;;) {
      antlr4::Token* token = tokens->LT(1);
      size_t type = token->getType();
      if (type == antlr4::Token::EOF || IsDeclarationKeyword(type)) break;
      if (depth == 0 && token->getLine() != line) {
        next_line = true;
        break;
      }
      if (depth == 0 && IsCloser(type)) break;
      depth += IsOpener(type) ? 1 : IsCloser(type) ? -1 : 0;
      parser->consume();
    }
  }
  for (int depth = 0; closer != 0;) {
    size_t type = tokens->LA(1);
    if (type == antlr4::Token::EOF) break;
    if (IsCloser(type) && depth == 0) break;  // the list's closer, or a stray one that ends it
    if (IsDeclarationKeyword(type)) break;    // the next declaration: the list was never closed
    depth += IsOpener(type) ? 1 : IsCloser(type) ? -1 : 0;
    parser->consume();
  }
  DefaultErrorStrategy::recover(parser, e);
  // The next line starts a statement of its own, whose mistakes are reported, as they would be
  // after a statement that parsed.
  if (next_line) endErrorCondition(parser);
}

void SyntaxErrorStrategy::consumeUntil(antlr4::Parser* parser,
                                       const antlr4::misc::IntervalSet& set) {
  antlr4::TokenStream* tokens = parser->getTokenStream();
  size_t depth = 0;
  for (size_t type = tokens->LA(1); type != antlr4::Token::EOF; type = tokens->LA(1)) {
    // A declaration keyword inside the brackets shows that they were never closed.
    if ((depth == 0 && set.contains(type)) || IsDeclarationKeyword(type)) return;
    if (IsOpener(type)) {
      ++depth;
    } else if (IsCloser(type) && depth > 0) {
      --depth;
    }
    parser->consume();
  }
}

antlr4::Token* SyntaxErrorStrategy::recoverInline(antlr4::Parser* parser) {
  if (antlr4::Token* brace = SkipToBrace(parser)) return brace;
  return DefaultErrorStrategy::recoverInline(parser);
}

bool SyntaxErrorStrategy::ClosesABracket(antlr4::TokenStream* tokens, size_t index) {
  if (closes_a_bracket_.empty()) {
    closes_a_bracket_.assign(tokens->size(), false);
    std::vector<size_t> open;  // the types of the brackets still open
    for (size_t i = 0; i < tokens->size(); ++i) {
      antlr4::Token* token = tokens->get(i);
      if (token->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      size_t type = token->getType();
      if (IsOpener(type)) {
        open.push_back(type);
      } else if (IsCloser(type)) {
        // A closer also closes the brackets left open inside its pair, as in `{ f(a }`. The
        // nesting limit (CheckNesting) bounds this search.
        auto pair = std::find_if(open.rbegin(), open.rend(),
                                 [&](size_t opener) { return ClosingBracket(opener) == type; });
        if (pair != open.rend()) {
          open.erase(std::prev(pair.base()), open.end());
          closes_a_bracket_[i] = true;
        }
      }
    }
  }
  return index < closes_a_bracket_.size() && closes_a_bracket_[index];
}

antlr4::Token* SyntaxErrorStrategy::singleTokenDeletion(antlr4::Parser* parser) {
  antlr4::TokenStream* tokens = parser->getTokenStream();
  if (IsOpener(tokens->LA(1)) || IsDeclarationKeyword(tokens->LA(1))) return nullptr;
  // Nor a closing bracket that closes an opening one. In `f(a = )` followed by `f(a = 1)` on the
  // next line, dropping the first `)` would read the second call as the value of `a`, nest every
  // later line one level deeper, and report a matched bracket as unmatched.
  if (IsCloser(tokens->LA(1)) && ClosesABracket(tokens, tokens->LT(1)->getTokenIndex())) {
    return nullptr;
  }
  // In `a = ] b = 1`, dropping `]` would read `b` as the value of `a`: newlines do not end
  // statements, so a name followed by `=` or `{` is taken to start the next one.
  bool next_starts_statement = (tokens->LA(2) == KfLexer::ID || tokens->LA(2) == KfLexer::ENV) &&
                               (tokens->LA(3) == KfLexer::ASSIGN ||
                                tokens->LA(3) == KfLexer::LBRACE || tokens->LA(3) == KfLexer::ID);
  if (next_starts_statement) return nullptr;
  return DefaultErrorStrategy::singleTokenDeletion(parser);
}

size_t SyntaxErrorStrategy::StopOnLine(antlr4::TokenStream* tokens, size_t index) {
  if (stop_on_line_.empty()) {
    stop_on_line_.resize(tokens->size());
    // From the end of the file. A bracket or the end of the file is its own stop. Any other token
    // takes the next token on the default channel as its stop when that one is on a later line,
    // and that token's stop when it is on the same line. Tokens on other channels take the stop
    // of the next one.
    size_t next = tokens->size() - 1;  // the EOF token
    for (size_t i = tokens->size(); i-- > 0;) {
      antlr4::Token* token = tokens->get(i);
      size_t type = token->getType();
      if (token->getChannel() != antlr4::Token::DEFAULT_CHANNEL) {
        stop_on_line_[i] = stop_on_line_[next];
        continue;
      }
      if (type == antlr4::Token::EOF || IsOpener(type) || IsCloser(type)) {
        stop_on_line_[i] = i;
      } else if (tokens->get(next)->getLine() != token->getLine()) {
        stop_on_line_[i] = next;
      } else {
        stop_on_line_[i] = stop_on_line_[next];
      }
      next = i;
    }
  }
  return stop_on_line_[index];
}

// When only `{` fits and one shows up later on the same line (or starts the next line), before
// any other bracket, reports the first token in the way and resumes at that `{`.
antlr4::Token* SyntaxErrorStrategy::SkipToBrace(antlr4::Parser* parser) {
  antlr4::misc::IntervalSet expected = getExpectedTokens(parser);
  antlr4::TokenStream* tokens = parser->getTokenStream();
  antlr4::Token* found = tokens->LT(1);
  if (expected.size() != 1 || !expected.contains(size_t{KfLexer::LBRACE}) ||
      tokens->LA(2) == KfLexer::LBRACE) {  // one token too many: ANTLR's deletion handles it
    return nullptr;
  }
  // LT(k) walks k tokens. Looking ahead with it token by token took time quadratic in the
  // line's length on every error, so the stops of the whole file are found once instead.
  antlr4::Token* stop = tokens->get(StopOnLine(tokens, found->getTokenIndex()));
  if (stop->getType() != KfLexer::LBRACE) return nullptr;
  beginErrorCondition(parser);
  ReportExpected(parser, parser->getContext(), found, expected, false);
  while (parser->getCurrentToken()->getTokenIndex() < stop->getTokenIndex()) parser->consume();
  antlr4::Token* brace = parser->getCurrentToken();
  reportMatch(parser);
  parser->consume();
  return brace;
}

// ANTLR computes the expected tokens only where the alternatives start. When the error comes
// later in the alternatives, the message names the token after which nothing fits.
void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser* parser,
                                                    const antlr4::NoViableAltException& e) {
  auto* ctx = static_cast<antlr4::ParserRuleContext*>(e.getCtx());
  antlr4::Token* found = e.getOffendingToken();
  if (e.getStartToken()->getTokenIndex() == found->getTokenIndex()) {
    ReportExpected(parser, ctx, found, e.getExpectedTokens(), false);
    return;
  }
  antlr4::Token* after = parser->getTokenStream()->get(found->getTokenIndex() - 1);
  SyntaxMessage words = UnexpectedMessage(ctx, found, after);
  reporter_.Report(diag::Kind::kSyntaxError, found, reporter_.spans().Of(found), words.message)
      .help = words.help;
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser* parser,
                                              const antlr4::InputMismatchException& e) {
  ReportExpected(parser, static_cast<antlr4::ParserRuleContext*>(e.getCtx()), e.getOffendingToken(),
                 e.getExpectedTokens(), false);
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser* parser,
                                                const antlr4::FailedPredicateException& e) {
  // The grammar has no predicates of its own; ANTLR's precedence predicates fail only together
  // with another error, so this is not expected to run.
  ReportExpected(parser, parser->getContext(), e.getOffendingToken(), parser->getExpectedTokens(),
                 false);
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  antlr4::Token* token = parser->getCurrentToken();
  if (IsDeclarationKeyword(token->getType())) {  // the construct before it is not closed
    ReportExpected(parser, parser->getContext(), token, getExpectedTokens(parser), false);
    return;
  }
  // A closing bracket of another kind, as `}` in an unclosed list, may mean that the list's own
  // closer is missing at the end of a line: AfterPrevious decides by what the bracket closes.
  bool after_previous =
      AfterPrevious(parser, token, false, /*unexpected=*/!IsCloser(token->getType()));
  Emit(parser, token, UnexpectedMessage(parser->getContext(), token, nullptr, after_previous),
       after_previous);
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  ReportExpected(parser, parser->getContext(), parser->getCurrentToken(), getExpectedTokens(parser),
                 true);
}

void SyntaxErrorStrategy::ReportExpected(antlr4::Parser* parser, antlr4::ParserRuleContext* ctx,
                                         antlr4::Token* found,
                                         const antlr4::misc::IntervalSet& expected, bool missing) {
  bool after_previous = AfterPrevious(parser, found, missing, /*unexpected=*/false);
  Emit(parser, found, ExpectedMessage(ctx, found, expected, missing, after_previous),
       after_previous);
}

// Whether an error at `found` is reported right after the token before it, where the fix goes:
// a missing token, and the end of the file. So is an expected token missing at the end of a line
// when what follows on a later line could start something else or closes an open bracket, as in
// `f(a = 1` followed by `}` on the next line. A token reported as unexpected, a comma, or a
// closing bracket that closes nothing is the mistake itself and is reported where it is.
bool SyntaxErrorStrategy::AfterPrevious(antlr4::Parser* parser, antlr4::Token* found, bool missing,
                                        bool unexpected) {
  antlr4::TokenStream* tokens = parser->getTokenStream();
  if (found->getTokenIndex() == 0) return false;
  if (missing || found->getType() == antlr4::Token::EOF) return true;
  antlr4::Token* previous = tokens->get(found->getTokenIndex() - 1);
  if (unexpected || previous->getLine() == found->getLine()) return false;
  size_t type = found->getType();
  if (type == KfLexer::COMMA) return false;
  return !IsCloser(type) || ClosesABracket(tokens, found->getTokenIndex());
}

void SyntaxErrorStrategy::Emit(antlr4::Parser* parser, antlr4::Token* found,
                               const SyntaxMessage& words, bool after_previous) {
  diag::Span span = reporter_.spans().Of(found);
  if (after_previous) {
    antlr4::Token* previous = parser->getTokenStream()->get(found->getTokenIndex() - 1);
    span.begin = span.end = reporter_.spans().Of(previous).end;
  }
  diag::Diagnostic& d = reporter_.Report(diag::Kind::kSyntaxError, found, span, words.message);
  d.help = words.help;
  // The opener can be missing from the token stream, and then ANTLR offers the end of the file.
  if (words.unclosed != nullptr && words.unclosed->getType() != antlr4::Token::EOF) {
    d.labels.push_back({reporter_.spans().Of(words.unclosed),
                        fmt::format("unclosed {}", DescribeToken(words.unclosed))});
  }
}

}  // namespace kfpc::parse
