#include "compiler/parse/syntax_errors.h"

#include <fmt/format.h>

#include "KfLexer.h"
#include "KfParser.h"
#include "NoViableAltException.h"
#include "InputMismatchException.h"
#include "Parser.h"
#include "Vocabulary.h"

namespace kfpc::parse {

namespace {

using grammar::KfLexer;
using grammar::KfParser;
using antlr4::misc::IntervalSet;

[[maybe_unused]] const IntervalSet& NameTokens() {
  static const IntervalSet set = IntervalSet::of(KfLexer::ID).Or(
      IntervalSet::of(KfLexer::ENV)).Or(IntervalSet::of(KfLexer::PARALLELISM));
  return set;
}

IntervalSet Of(std::initializer_list<size_t> tokens) {
  IntervalSet set;
  for (size_t token : tokens) set.add(static_cast<ssize_t>(token));
  return set;
}

// Tokens that can start an expression.
[[maybe_unused]] const IntervalSet& ExprStartTokens() {
  static const IntervalSet set =
      Of({KfLexer::STRING, KfLexer::RAW_STRING, KfLexer::INT, KfLexer::FLOAT, KfLexer::TRUE,
          KfLexer::FALSE, KfLexer::NONE, KfLexer::UNTERMINATED_STRING,
          KfLexer::UNTERMINATED_RAW_STRING, KfLexer::BAD_NUMBER, KfLexer::LBRACK, KfLexer::LBRACE,
          KfLexer::LPAREN, KfLexer::MINUS, KfLexer::NOT})
          .Or(NameTokens());
  return set;
}

// Tokens that continue an expression; left out of "expected" lists when anything else fits.
[[maybe_unused]] const IntervalSet& OperatorTokens() {
  static const IntervalSet set = Of({KfLexer::DOT, KfLexer::EQ, KfLexer::NE, KfLexer::LT,
                                     KfLexer::LE, KfLexer::GT, KfLexer::GE, KfLexer::AND,
                                     KfLexer::OR, KfLexer::LPAREN});
  return set;
}

[[maybe_unused]] const IntervalSet& DeclStartTokens() {
  static const IntervalSet set =
      Of({KfLexer::IMPORT, KfLexer::ARTIFACT, KfLexer::COMPONENT, KfLexer::PIPELINE});
  return set;
}

[[maybe_unused]] const IntervalSet& StmtStartTokens() {
  static const IntervalSet set =
      Of({KfLexer::RETURN, KfLexer::IF, KfLexer::FOR, KfLexer::TRY}).Or(NameTokens());
  return set;
}

const antlr4::dfa::Vocabulary& Vocabulary() {
  static antlr4::ANTLRInputStream input;
  static KfLexer lexer(&input);
  return lexer.getVocabulary();
}

std::string TokenName(size_t type) {
  if (type == antlr4::Token::EOF) return "the end of the file";
  std::string literal = Vocabulary().getLiteralName(type);
  if (literal.size() >= 2) return fmt::format("`{}`", literal.substr(1, literal.size() - 2));
  switch (type) {
    case KfLexer::ID:
      return "a name";
    case KfLexer::STRING:
    case KfLexer::RAW_STRING:
      return "a string";
    case KfLexer::INT:
      return "an integer";
    case KfLexer::FLOAT:
      return "a float";
    default:
      return Vocabulary().getDisplayName(type);
  }
}

std::string JoinAlternatives(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// The name of the identifier child `name`, or "" when it is missing.
[[maybe_unused]] std::string NameOf(KfParser::IdentifierContext* name) {
  if (name == nullptr || name->getStart()->getTokenIndex() == INVALID_INDEX) return "";
  return name->getText();
}

}  // namespace

diag::Diagnostic& SyntaxErrorReporter::Report(diag::Kind kind, const antlr4::Token* token,
                                              diag::Span span, std::string message) {
  if (!reported_tokens_.insert(token->getTokenIndex()).second) {
    discarded_ = {};
    return discarded_;
  }
  return sink_.Report(kind, span, std::move(message));
}

void SyntaxErrorReporter::syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t,
                                      const std::string& message, std::exception_ptr) {
  if (offending == nullptr) return;  // the lexer never errs: ERROR_CHAR takes any character
  Report(diag::Kind::kSyntaxError, offending, spans_.Of(offending), message);
}

void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser* parser,
                                                    const antlr4::NoViableAltException& e) {
  ReportExpected(parser, dynamic_cast<antlr4::ParserRuleContext*>(e.getCtx()), e.getOffendingToken(),
                 e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser* parser,
                                              const antlr4::InputMismatchException& e) {
  ReportExpected(parser, dynamic_cast<antlr4::ParserRuleContext*>(e.getCtx()), e.getOffendingToken(),
                 e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser* parser,
                                                const antlr4::FailedPredicateException& e) {
  // The grammar has no predicates; precedence checks of left-recursive rules never fail alone.
  ReportExpected(parser, parser->getContext(), e.getOffendingToken(), parser->getExpectedTokens());
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  antlr4::Token* token = parser->getCurrentToken();
  reporter_.Report(diag::Kind::kSyntaxError, token, reporter_.spans().Of(token),
                   fmt::format("unexpected {}", TokenName(token->getType())));
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  antlr4::Token* token = parser->getCurrentToken();
  IntervalSet expected = getExpectedTokens(parser);
  std::vector<std::string> names;
  for (ssize_t type : expected.toList()) names.push_back(TokenName(type));
  reporter_.Report(diag::Kind::kSyntaxError, token, reporter_.spans().Of(token),
                   fmt::format("expected {}", JoinAlternatives(names)));
}

void SyntaxErrorStrategy::ReportExpected(antlr4::Parser*, antlr4::ParserRuleContext*,
                                         antlr4::Token* found, [[maybe_unused]] const IntervalSet& expected) {
  std::vector<std::string> names;
  for (ssize_t type : expected.toList()) names.push_back(TokenName(type));
  reporter_.Report(diag::Kind::kSyntaxError, found, reporter_.spans().Of(found),
                   fmt::format("expected {}, found {}", JoinAlternatives(names),
                               TokenName(found->getType())));
}

}  // namespace kfpc::parse
