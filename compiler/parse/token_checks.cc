#include "compiler/parse/token_checks.h"

#include <algorithm>

#include <fmt/format.h>

#include "KfLexer.h"

namespace kfpc::parse {

namespace {

using grammar::KfLexer;

// Help for characters that other languages use.
std::string_view CharacterHelp(std::string_view c) {
  if (c == "&" || c == "&&") return "write `and`";
  if (c == "|" || c == "||") return "write `or`";
  if (c == "!") return "write `not`, or `!=` for inequality";
  if (c == "+" || c == "*" || c == "/" || c == "%") return "expressions have no arithmetic";
  if (c == "#") return "comments start with `//`";
  if (c == ";") return "statements and settings need no separator";
  return "";
}

// Reports the run of stray characters that starts at tokens[i] as one mistake (`&&` is one);
// returns the index of its last token.
size_t ReportErrorChars(const std::vector<antlr4::Token*>& tokens, size_t i, std::string_view text,
                        const SourceStream& stream, SyntaxErrorReporter& reporter) {
  diag::Span span = reporter.spans().Of(tokens[i]);
  const std::vector<uint32_t>& invalid = stream.invalid_bytes();
  if (std::binary_search(invalid.begin(), invalid.end(), span.begin)) {
    reporter.MarkReported(tokens[i]);  // reported with the other invalid bytes
    return i;
  }
  size_t last = i;
  while (last + 1 < tokens.size() && tokens[last + 1]->getType() == KfLexer::ERROR_CHAR &&
         reporter.spans().Of(tokens[last + 1]).begin == span.end &&
         !std::binary_search(invalid.begin(), invalid.end(), span.end)) {
    span.end = reporter.spans().Of(tokens[++last]).end;
    reporter.MarkReported(tokens[last]);
  }
  std::string_view chars = text.substr(span.begin, span.end - span.begin);
  reporter.Report(diag::Kind::kInvalidCharacter, tokens[i], span,
                  fmt::format("unexpected character{} `{}`", last > i ? "s" : "", chars))
      .help = CharacterHelp(chars);
  return last;
}

// One diagnostic per run of bytes that are not UTF-8, wherever they are.
void ReportInvalidUtf8(const SourceStream& stream, SyntaxErrorReporter& reporter,
                       diag::DiagnosticSink& sink) {
  const std::vector<uint32_t>& invalid = stream.invalid_bytes();
  for (size_t i = 0; i < invalid.size();) {
    size_t end = i + 1;
    while (end < invalid.size() && invalid[end] == invalid[end - 1] + 1) ++end;
    diag::Span span{reporter.spans().file(), invalid[i], invalid[end - 1] + 1};
    sink.Report(diag::Kind::kInvalidCharacter, span, "the source is not valid UTF-8").help =
        "save the file as UTF-8";
    i = end;
  }
}

}  // namespace

void ReportLexicalErrors(const std::vector<antlr4::Token*>& tokens, std::string_view text,
                         const SourceStream& stream, SyntaxErrorReporter& reporter,
                         diag::DiagnosticSink& sink) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    antlr4::Token* token = tokens[i];
    diag::Span span = reporter.spans().Of(token);
    switch (token->getType()) {
      case KfLexer::UNTERMINATED_STRING:
        reporter.Report(diag::Kind::kUnterminatedString, token, span, "unterminated string literal")
            .help = "close the string with `\"` on the same line, or use a raw string `\"\"\"...\"\"\"`";
        break;
      case KfLexer::UNTERMINATED_RAW_STRING:
        reporter.Report(diag::Kind::kUnterminatedString, token, {span.file, span.begin, span.begin + 3},
                        "unterminated raw string literal")
            .help = "close the string with `\"\"\"`";
        reporter.MarkReported(tokens.back());  // it runs to the end of the file
        break;
      case KfLexer::SINGLE_QUOTED_STRING:
        reporter.Report(diag::Kind::kSyntaxError, token, span,
                        fmt::format("single-quoted string `{}`", text.substr(span.begin, span.end - span.begin)))
            .help = "write strings in double quotes: `\"...\"`";
        break;
      case KfLexer::BAD_NUMBER:
        reporter.Report(diag::Kind::kInvalidNumber, token, span,
                        fmt::format("invalid number `{}`", text.substr(span.begin, span.end - span.begin)))
            .help = "write an integer such as `10` or `-3`, or a float such as `0.5` or `1e-3`";
        break;
      case KfLexer::ERROR_CHAR:
        i = ReportErrorChars(tokens, i, text, stream, reporter);
        break;
      default:
        break;
    }
  }
  ReportInvalidUtf8(stream, reporter, sink);
}

bool CheckNesting(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter) {
  // levels[i]: operators seen so far in the i-th open bracket. Tokens that end an expression
  // (`,`, `=`, `:`, statement keywords) reset the count of their bracket; `}` does not, since it
  // may close a map inside an expression.
  std::vector<int> levels = {0};
  int depth = 0;
  for (antlr4::Token* token : tokens) {
    switch (token->getType()) {
      case KfLexer::LPAREN:
      case KfLexer::LBRACK:
      case KfLexer::LBRACE:
        levels.push_back(0);
        ++depth;
        break;
      case KfLexer::RPAREN:
      case KfLexer::RBRACK:
      case KfLexer::RBRACE:
        if (levels.size() > 1) {  // an unmatched closer is the parser's to report
          depth -= 1 + levels.back();
          levels.pop_back();
        }
        break;
      case KfLexer::COMMA: case KfLexer::ASSIGN: case KfLexer::COLON: case KfLexer::IF:
      case KfLexer::ELSE: case KfLexer::FOR: case KfLexer::IN: case KfLexer::TRY:
      case KfLexer::FINALLY: case KfLexer::RETURN:
        depth -= levels.back();
        levels.back() = 0;
        break;
      case KfLexer::DOT: case KfLexer::MINUS: case KfLexer::NOT: case KfLexer::AND:
      case KfLexer::OR: case KfLexer::EQ: case KfLexer::NE: case KfLexer::LT:
      case KfLexer::LE: case KfLexer::GT: case KfLexer::GE:
        ++levels.back();
        ++depth;
        break;
      default:
        break;
    }
    if (depth > kMaxNesting) {
      reporter.Report(diag::Kind::kNestingTooDeep, token, reporter.spans().Of(token),
                      fmt::format("nesting is deeper than {} levels", kMaxNesting))
          .help = "split the expression or the block into smaller parts";
      return false;
    }
  }
  return true;
}

}  // namespace kfpc::parse
