#include "compiler/parse/token_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "KfLexer.h"

namespace kfpc::parse {

namespace {

using grammar::KfLexer;

// Help for characters that other languages use.
std::string_view CharacterHelp(std::string_view c) {
  if (c == "&" || c == "&&") return "write `and`";
  if (c == "|" || c == "||") return "write `or`";
  if (c == "!") return "write `not`, or `!=` for inequality";
  if (c == "+" || c == "*" || c == "/" || c == "%")
    return "kfpc expressions have no arithmetic operators";
  if (c == "#") return "comments start with `//`";
  if (c.starts_with("/*") || c.ends_with("*/")) {
    return "start each comment line with `//`, because kf has no block comments";
  }
  if (c == ";") return "statements and settings need no separator";
  return "";
}

bool IsInvalidByte(const SourceStream& stream, uint32_t offset) {
  const std::vector<uint32_t>& invalid = stream.invalid_bytes();
  return std::binary_search(invalid.begin(), invalid.end(), offset);
}

// Returns the first and last index of the tokens of a label key such as `kubernetes.io/arch`
// written bare before `:`, whose `/` are the stray characters tokens[first..last]. Keywords and
// numbers count as parts of the key there (`app.kubernetes.io/component`, `example.com/v1.2`).
// Returns nullopt when the text is no such key.
// Whether `token` may be part of a bare label key: a name, a keyword, a number such as `2.3` in
// `v1.2.3`, `.`, `-` or a stray `/`.
bool IsKeyPart(const antlr4::Token* token) {
  size_t type = token->getType();
  if (type == KfLexer::ID || type == KfLexer::DOT || type == KfLexer::MINUS ||
      type == KfLexer::INT) {
    return true;
  }
  std::string text = token->getText();
  if (type == KfLexer::ERROR_CHAR) return text == "/";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::optional<std::pair<size_t, size_t>> BareKeyTokens(const std::vector<antlr4::Token*>& tokens,
                                                       size_t first, size_t last,
                                                       SyntaxErrorReporter& reporter) {
  auto in_key = [&](size_t index) { return IsKeyPart(tokens[index]); };
  auto adjacent = [&](size_t left, size_t right) {
    return reporter.spans().Of(tokens[left]).end == reporter.spans().Of(tokens[right]).begin;
  };
  size_t begin = first;
  while (begin > 0 && in_key(begin - 1) && adjacent(begin - 1, begin)) --begin;
  size_t end = last;
  while (end + 1 < tokens.size() && in_key(end + 1) && adjacent(end, end + 1)) ++end;
  if (begin == first || end == last || end + 1 >= tokens.size() ||
      tokens[end + 1]->getType() != KfLexer::COLON) {
    return std::nullopt;
  }
  return std::make_pair(begin, end);
}

// Whether tokens[i] is inside a bare label key whose `/` comes after it, such as the malformed
// number `-2.example.com` in `team-2.example.com/owner`: that `/` reports the whole key.
bool InBareKeyBeforeSlash(const std::vector<antlr4::Token*>& tokens, size_t i,
                          SyntaxErrorReporter& reporter) {
  for (size_t j = i + 1; j < tokens.size() && IsKeyPart(tokens[j]); ++j) {
    if (reporter.spans().Of(tokens[j - 1]).end != reporter.spans().Of(tokens[j]).begin) break;
    if (tokens[j]->getType() != KfLexer::ERROR_CHAR) continue;
    std::optional<std::pair<size_t, size_t>> key = BareKeyTokens(tokens, j, j, reporter);
    return key && key->first <= i;
  }
  return false;
}

// Reports the run of stray characters that starts at tokens[i] as one mistake (`&&` is one);
// returns the index of its last token.
size_t ReportErrorChars(const std::vector<antlr4::Token*>& tokens, size_t i, std::string_view text,
                        const SourceStream& stream, SyntaxErrorReporter& reporter) {
  diag::Span span = reporter.spans().Of(tokens[i]);
  if (IsInvalidByte(stream, span.begin)) {
    reporter.MarkReported(tokens[i]);  // reported with the other invalid bytes
    return i;
  }
  size_t last = i;
  while (last + 1 < tokens.size() && tokens[last + 1]->getType() == KfLexer::ERROR_CHAR &&
         reporter.spans().Of(tokens[last + 1]).begin == span.end &&
         !IsInvalidByte(stream, span.end)) {
    span.end = reporter.spans().Of(tokens[++last]).end;
    reporter.MarkReported(tokens[last]);
  }
  std::string_view chars = text.substr(span.begin, span.end - span.begin);
  std::string message =
      fmt::format("unexpected character{} `{}`", last > i ? "s" : "", diag::ShownText(chars));
  diag::Diagnostic& d = reporter.Report(diag::Kind::kInvalidCharacter, tokens[i], span, message);
  std::optional<std::pair<size_t, size_t>> key;
  if (chars == "/") key = BareKeyTokens(tokens, i, last, reporter);
  if (!key) {
    d.help = CharacterHelp(chars);
    return last;
  }
  // One error for the key, with one fix, and none for its other `/`, at its tokens or at the `:`
  // after it.
  diag::Span key_span = reporter.spans().Of(tokens[key->first]);
  key_span.end = reporter.spans().Of(tokens[key->second]).end;
  std::string written(text.substr(key_span.begin, key_span.end - key_span.begin));
  d.help = fmt::format("quote the map key: `\"{}\"`", written);
  d.fix = diag::Fix{key_span, "\"" + written + "\"", fmt::format("quote `{}`", written)};
  for (size_t k = key->first; k <= key->second + 1; ++k) reporter.MarkReported(tokens[k]);
  return std::max(last, key->second);
}

// Reports a malformed string or number token; false for any other token.
bool ReportMalformedLiteral(antlr4::Token* token, std::string_view text,
                            SyntaxErrorReporter& reporter) {
  diag::Span span = reporter.spans().Of(token);
  std::string_view written = text.substr(span.begin, span.end - span.begin);
  switch (token->getType()) {
    case KfLexer::UNTERMINATED_STRING:
      reporter.Report(diag::Kind::kUnterminatedString, token, span, "unterminated string literal")
          .help =
          "close the string with `\"` on the same line, or use a raw string `\"\"\"...\"\"\"`";
      return true;
    case KfLexer::UNTERMINATED_RAW_STRING:
      span.end = span.begin + 3;  // the rest of the file follows
      reporter
          .Report(diag::Kind::kUnterminatedString, token, span, "unterminated raw string literal")
          .help = "close the string with `\"\"\"`";
      return true;
    case KfLexer::SINGLE_QUOTED_STRING:
      reporter
          .Report(diag::Kind::kSyntaxError, token, span,
                  fmt::format("single-quoted string `{}`", written))
          .help = "write strings in double quotes: `\"...\"`";
      return true;
    case KfLexer::BAD_NUMBER:
      reporter
          .Report(diag::Kind::kInvalidNumber, token, span,
                  fmt::format("invalid number `{}`", written))
          .help = "write an integer such as `10` or `-3`, or a float such as `0.5` or `1e-3`";
      return true;
    default:
      return false;
  }
}

// One diagnostic per run of bytes that are not UTF-8, wherever they are.
void ReportInvalidUtf8(const SourceStream& stream, diag::FileId file, diag::DiagnosticSink& sink) {
  const std::vector<uint32_t>& invalid = stream.invalid_bytes();
  for (size_t i = 0; i < invalid.size();) {
    size_t end = i + 1;
    while (end < invalid.size() && invalid[end] == invalid[end - 1] + 1) ++end;
    diag::Span span{file, invalid[i], invalid[end - 1] + 1};
    sink.Report(diag::Kind::kInvalidCharacter, span, "the source is not valid UTF-8").help =
        "save the file as UTF-8";
    i = end;
  }
}

// How a token changes the nesting count of CheckNesting.
enum class NestingEffect { kNone, kOpen, kClose, kOperator, kEndOfExpression };

NestingEffect EffectOf(size_t type) {
  switch (type) {
    case KfLexer::LPAREN:
    case KfLexer::LBRACK:
    case KfLexer::LBRACE:
      return NestingEffect::kOpen;
    case KfLexer::RPAREN:
    case KfLexer::RBRACK:
    case KfLexer::RBRACE:
      return NestingEffect::kClose;
    case KfLexer::DOT:
    case KfLexer::MINUS:
    case KfLexer::NOT:
    case KfLexer::AND:
    case KfLexer::OR:
    case KfLexer::EQ:
    case KfLexer::NE:
    case KfLexer::LT:
    case KfLexer::LE:
    case KfLexer::GT:
    case KfLexer::GE:
      return NestingEffect::kOperator;
    // The `<` and `>` of a type such as `-> list<string>` count as operators too, so the tokens
    // that start a declaration end an expression as well.
    case KfLexer::IMPORT:
    case KfLexer::ARTIFACT:
    case KfLexer::COMPONENT:
    case KfLexer::PIPELINE:
    case KfLexer::ARROW:
    case KfLexer::COMMA:
    case KfLexer::ASSIGN:
    case KfLexer::COLON:
    case KfLexer::IF:
    case KfLexer::ELSE:
    case KfLexer::FOR:
    case KfLexer::IN:
    case KfLexer::TRY:
    case KfLexer::FINALLY:
    case KfLexer::RETURN:
      return NestingEffect::kEndOfExpression;
    default:
      return NestingEffect::kNone;
  }
}

// The opening bracket that `closer` closes.
size_t OpenerOf(size_t closer) {
  switch (closer) {
    case KfLexer::RPAREN:
      return KfLexer::LPAREN;
    case KfLexer::RBRACK:
      return KfLexer::LBRACK;
    default:
      return KfLexer::LBRACE;
  }
}

}  // namespace

bool CheckEncoding(std::string_view text, diag::FileId file, diag::DiagnosticSink& sink) {
  // UTF-32 first: its little-endian mark starts with the UTF-16 one.
  struct ByteOrderMark {
    std::string_view bytes;
    std::string_view encoding;
  };
  static constexpr ByteOrderMark kMarks[] = {
      {std::string_view("\xFF\xFE\0\0", 4), "UTF-32"},
      {std::string_view("\0\0\xFE\xFF", 4), "UTF-32"},
      {"\xFF\xFE", "UTF-16"},
      {"\xFE\xFF", "UTF-16"},
  };
  for (const ByteOrderMark& mark : kMarks) {
    if (!text.starts_with(mark.bytes)) continue;
    diag::Span span{file, 0, static_cast<uint32_t>(mark.bytes.size())};
    sink.Report(diag::Kind::kInvalidCharacter, span,
                fmt::format("the source is {}, not UTF-8", mark.encoding))
        .help = "save the file as UTF-8";
    return false;
  }
  // Text has no NUL bytes, but UTF-16 without a mark has one in every other byte of ASCII text.
  // A few stray NULs are left to the lexer, which reports each where it is.
  std::string_view sample = text.substr(0, 4096);
  size_t nuls = std::count(sample.begin(), sample.end(), '\0');
  if (sample.size() >= 2 && nuls * 4 >= sample.size()) {
    size_t first = sample.find('\0');
    sink.Report(diag::Kind::kInvalidCharacter,
                diag::Span{file, static_cast<uint32_t>(first), static_cast<uint32_t>(first + 1)},
                "the source is not UTF-8 text: most of its bytes are NUL")
        .help = "save the file as UTF-8; a UTF-16 file without a byte order mark looks like this";
    return false;
  }
  return true;
}

void ReportLexicalErrors(const std::vector<antlr4::Token*>& tokens, std::string_view text,
                         const SourceStream& stream, SyntaxErrorReporter& reporter,
                         diag::DiagnosticSink& sink) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i]->getType() == KfLexer::ERROR_CHAR &&
        text.substr(reporter.spans().Of(tokens[i]).begin, 4) == "#\"\"\"") {
      // `#"""` without its closing `"""#`: the rest of the file is inside the string.
      diag::Span span = reporter.spans().Of(tokens[i]);
      span.end = span.begin + 4;
      reporter
          .Report(diag::Kind::kUnterminatedString, tokens[i], span,
                  "unterminated raw string literal")
          .help = "close the string with `\"\"\"#`";
      for (size_t j = i + 1; j < tokens.size(); ++j) reporter.MarkReported(tokens[j]);
      break;
    } else if (tokens[i]->getType() == KfLexer::ERROR_CHAR) {
      i = ReportErrorChars(tokens, i, text, stream, reporter);
    } else if (tokens[i]->getType() == KfLexer::BAD_NUMBER &&
               InBareKeyBeforeSlash(tokens, i, reporter)) {
      continue;
    } else if (ReportMalformedLiteral(tokens[i], text, reporter) &&
               tokens[i]->getType() == KfLexer::UNTERMINATED_RAW_STRING) {
      reporter.MarkReported(tokens.back());  // the end of the file comes inside the string
    }
  }
  ReportInvalidUtf8(stream, reporter.spans().file(), sink);
}

namespace {

bool IsCommentToken(size_t type) {
  return type == KfLexer::LINE_COMMENT || type == KfLexer::DOC_COMMENT;
}

bool IsStringLiteralToken(size_t type) {
  return type == KfLexer::STRING || type == KfLexer::UNTERMINATED_STRING ||
         type == KfLexer::RAW_STRING || type == KfLexer::UNTERMINATED_RAW_STRING;
}

// The code point of the bidirectional formatting character whose UTF-8 encoding starts at
// text[i] (U+202A to U+202E, U+2066 to U+2069), or 0.
char32_t BidiControlAt(std::string_view text, size_t i) {
  if (i + 3 > text.size() || static_cast<unsigned char>(text[i]) != 0xE2) return 0;
  auto second = static_cast<unsigned char>(text[i + 1]);
  auto third = static_cast<unsigned char>(text[i + 2]);
  if (second == 0x80 && third >= 0xAA && third <= 0xAE) return 0x2000 + (third - 0x80);
  if (second == 0x81 && third >= 0xA6 && third <= 0xA9) return 0x2040 + (third - 0x80);
  return 0;
}

}  // namespace

void ReportHiddenCharacters(const std::vector<antlr4::Token*>& tokens, std::string_view text,
                            const SpanMap& spans, diag::DiagnosticSink& sink) {
  for (antlr4::Token* token : tokens) {
    bool is_string = IsStringLiteralToken(token->getType());
    // A doc comment becomes a description, a string of the IR, so the string rules apply.
    bool is_doc = token->getType() == KfLexer::DOC_COMMENT;
    if (!is_string && !IsCommentToken(token->getType())) continue;
    diag::Span span = spans.Of(token);
    for (uint32_t i = span.begin; i < span.end && i < text.size(); ++i) {
      if (text[i] == '\0' && (is_string || is_doc)) {
        sink.Report(diag::Kind::kInvalidCharacter, diag::Span{span.file, i, i + 1},
                    is_string ? "a string cannot contain a NUL byte"
                              : "a doc comment cannot contain a NUL byte")
            .help = is_string
                        ? "remove the NUL byte: argv and environment strings end at the first one"
                        : "remove the NUL byte: the comment becomes a description in the IR";
      } else if (is_doc && text.compare(i, 3, "{{$") == 0) {
        diag::Diagnostic& d =
            sink.Report(diag::Kind::kBackendPlaceholderInString, diag::Span{span.file, i, i + 3},
                        "`{{$` in a doc comment is a placeholder that the KFP backend replaces at "
                        "run time");
        d.notes.push_back("a doc comment becomes a description in the IR");
        d.help = "put a space between `{{` and `$`, or write `//` to make it a plain comment";
        i += 2;
      } else if (char32_t bidi = BidiControlAt(text, i); bidi != 0) {
        std::string where = is_string ? "string literal" : "comment";
        diag::Diagnostic& d = sink.Report(
            diag::Kind::kBidiControlCharacter, diag::Span{span.file, i, i + 3},
            fmt::format("invisible bidirectional control character U+{:04X} in a {}",
                        static_cast<uint32_t>(bidi), where));
        d.notes.push_back(
            "it reorders how the text around it is displayed, so the code a reviewer reads can "
            "differ from the code that runs");
        d.help = is_string ? fmt::format("write it as the escape `\\u{{{:X}}}` so that it can be "
                                         "seen, or remove it",
                                         static_cast<uint32_t>(bidi))
                           : "remove it from the comment";
        i += 2;
      }
    }
  }
}

bool CheckNesting(const std::vector<antlr4::Token*>& tokens, SyntaxErrorReporter& reporter) {
  // operators[i]: operators since the i-th open bracket, or since the last token that ends an
  // expression in it. `}` does not end an expression: it may close a map inside one.
  // openers[i]: the type of the i-th open bracket. A closer closes the innermost bracket of its
  // kind and every bracket opened after it. A closer of another kind, as in `f(]`, closes nothing,
  // because the parser keeps the `(` open while it recovers from the `]`.
  std::vector<int> operators = {0};
  std::vector<size_t> openers = {0};
  int depth = 0;
  for (antlr4::Token* token : tokens) {
    switch (EffectOf(token->getType())) {
      case NestingEffect::kOpen:
        operators.push_back(0);
        openers.push_back(token->getType());
        ++depth;
        break;
      case NestingEffect::kClose: {
        size_t opener = OpenerOf(token->getType());
        auto innermost = std::find(openers.rbegin(), openers.rend() - 1, opener);
        if (innermost == openers.rend() - 1) break;  // unmatched: the parser reports it
        size_t keep = openers.size() - 1 - (innermost - openers.rbegin());
        while (openers.size() > keep) {
          depth -= 1 + operators.back();
          operators.pop_back();
          openers.pop_back();
        }
        break;
      }
      case NestingEffect::kOperator:
        ++operators.back();
        ++depth;
        break;
      case NestingEffect::kEndOfExpression:
        depth -= operators.back();
        operators.back() = 0;
        break;
      case NestingEffect::kNone:
        break;
    }
    if (depth > kMaxNesting) {
      reporter
          .Report(diag::Kind::kNestingTooDeep, token, reporter.spans().Of(token),
                  fmt::format("nesting is deeper than {} levels", kMaxNesting))
          .help = "split the expression or the block into smaller parts";
      return false;
    }
  }
  return true;
}

}  // namespace kfpc::parse
