#include "compiler/parse/lexer.h"

#include <algorithm>
#include <array>
#include <utility>

#include "CommonToken.h"
#include "KfLexer.h"

namespace kfpc::parse {

namespace {

using grammar::KfLexer;

// Past the end of the text; no code point has this value.
constexpr char32_t kEnd = 0xFFFFFFFF;

bool IsLetter(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }
bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool IsNameChar(char32_t c) { return IsLetter(c) || IsDigit(c) || c == U'_'; }
// The characters that may follow a malformed number (BAD_NUMBER's last part).
bool IsNumberTail(char32_t c) { return IsNameChar(c) || c == U'.'; }
bool IsSpace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n' || c == U'\f' || c == 0xFEFF;
}

// The keyword rules, which come before ID in the grammar and so win when a name matches one.
constexpr std::array<std::pair<std::u32string_view, size_t>, 19> kKeywords = {{
    {U"import", KfLexer::IMPORT},
    {U"artifact", KfLexer::ARTIFACT},
    {U"component", KfLexer::COMPONENT},
    {U"pipeline", KfLexer::PIPELINE},
    {U"return", KfLexer::RETURN},
    {U"if", KfLexer::IF},
    {U"else", KfLexer::ELSE},
    {U"for", KfLexer::FOR},
    {U"in", KfLexer::IN},
    {U"try", KfLexer::TRY},
    {U"finally", KfLexer::FINALLY},
    {U"true", KfLexer::TRUE},
    {U"false", KfLexer::FALSE},
    {U"none", KfLexer::NONE},
    {U"and", KfLexer::AND},
    {U"or", KfLexer::OR},
    {U"not", KfLexer::NOT},
    {U"env", KfLexer::ENV},
    {U"parallelism", KfLexer::PARALLELISM},
}};

}  // namespace

Lexer::Lexer(SourceStream& stream) : stream_(stream), text_(stream.code_points()) {}

char32_t Lexer::At(size_t index) const { return index < text_.size() ? text_[index] : kEnd; }

void Lexer::Advance(size_t count) {
  for (size_t end = pos_ + count; pos_ < end; ++pos_) {
    if (text_[pos_] == U'\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
  }
}

std::unique_ptr<antlr4::Token> Lexer::nextToken() {
  while (pos_ < text_.size() && IsSpace(text_[pos_])) Advance(1);  // WS: skipped
  size_t start = pos_;
  size_t line = line_;
  size_t column = column_;
  size_t type = antlr4::Token::EOF;
  size_t channel = antlr4::Token::DEFAULT_CHANNEL;
  if (pos_ < text_.size()) {
    Match match = Scan();
    type = match.type;
    if (type == KfLexer::DOC_COMMENT || type == KfLexer::LINE_COMMENT) {
      channel = antlr4::Token::HIDDEN_CHANNEL;
    }
    Advance(match.length);
  }
  // The end-of-file token, like ANTLR's, starts at the end and stops one code point before it.
  auto token = std::make_unique<antlr4::CommonToken>(std::make_pair(this, &stream_), type, channel,
                                                     start, pos_ - 1);
  token->setLine(line);
  token->setCharPositionInLine(column);
  return token;
}

size_t Lexer::HashRawStringEnd(size_t from) const {
  // Later calls never start before earlier ones, so a `"""#` found at or after `from` answers
  // every call up to it, and none found answers every later call: each part of the text is
  // searched at most once. Searching from every `#"""` was quadratic in their number.
  if (!close_known_ || (close_ != std::u32string_view::npos && close_ < from)) {
    close_ = text_.find(U"\"\"\"#", from);
    close_known_ = true;
  }
  return close_;
}

size_t Lexer::LineEnd(size_t from) const {
  size_t end = from;
  while (end < text_.size() && text_[end] != U'\n' && text_[end] != U'\r') ++end;
  return end;
}

Lexer::Match Lexer::Scan() const {
  char32_t c = text_[pos_];
  char32_t next = At(pos_ + 1);
  if (IsLetter(c) || c == U'_') return ScanName();
  if (IsDigit(c) || (c == U'-' && IsDigit(next))) return ScanNumber();
  switch (c) {
    case U'-':
      return next == U'>' ? Match{KfLexer::ARROW, 2} : Match{KfLexer::MINUS, 1};
    case U'(': return {KfLexer::LPAREN, 1};
    case U')': return {KfLexer::RPAREN, 1};
    case U'{': return {KfLexer::LBRACE, 1};
    case U'}': return {KfLexer::RBRACE, 1};
    case U'[': return {KfLexer::LBRACK, 1};
    case U']': return {KfLexer::RBRACK, 1};
    case U',': return {KfLexer::COMMA, 1};
    case U':': return {KfLexer::COLON, 1};
    case U'.': return {KfLexer::DOT, 1};
    case U'?': return {KfLexer::QUESTION, 1};
    case U'=':
      return next == U'=' ? Match{KfLexer::EQ, 2} : Match{KfLexer::ASSIGN, 1};
    case U'!':
      return next == U'=' ? Match{KfLexer::NE, 2} : Match{KfLexer::ERROR_CHAR, 1};
    case U'<':
      return next == U'=' ? Match{KfLexer::LE, 2} : Match{KfLexer::LT, 1};
    case U'>':
      return next == U'=' ? Match{KfLexer::GE, 2} : Match{KfLexer::GT, 1};
    case U'"':
      return ScanDoubleQuoted();
    case U'#': {
      // RAW_STRING's `#"""` .*? `"""#`: the shortest text up to the first `"""#`.
      if (text_.substr(pos_ + 1, 3) != U"\"\"\"") return {KfLexer::ERROR_CHAR, 1};
      size_t close = HashRawStringEnd(pos_ + 4);
      if (close == std::u32string_view::npos) return {KfLexer::ERROR_CHAR, 1};
      return {KfLexer::RAW_STRING, close + 4 - pos_};
    }
    case U'\'': {
      // SINGLE_QUOTED_STRING: `'` ~['\r\n]* `'`?
      size_t end = pos_ + 1;
      while (end < text_.size() && text_[end] != U'\'' && text_[end] != U'\r' &&
             text_[end] != U'\n') {
        ++end;
      }
      if (At(end) == U'\'') ++end;
      return {KfLexer::SINGLE_QUOTED_STRING, end - pos_};
    }
    case U'/':
      if (next != U'/') return {KfLexer::ERROR_CHAR, 1};
      // DOC_COMMENT is `///` not followed by a fourth `/`; anything longer is a LINE_COMMENT.
      return {At(pos_ + 2) == U'/' && At(pos_ + 3) != U'/' ? size_t{KfLexer::DOC_COMMENT}
                                                           : size_t{KfLexer::LINE_COMMENT},
              LineEnd(pos_) - pos_};
    default:
      return {KfLexer::ERROR_CHAR, 1};
  }
}

Lexer::Match Lexer::ScanName() const {
  size_t end = pos_ + 1;
  while (end < text_.size() && IsNameChar(text_[end])) ++end;
  std::u32string_view name = text_.substr(pos_, end - pos_);
  for (const auto& [keyword, type] : kKeywords) {
    if (name == keyword) return {type, name.size()};
  }
  return {KfLexer::ID, name.size()};
}

Lexer::Match Lexer::ScanNumber() const {
  // FLOAT, INT and BAD_NUMBER all start with `-`? DIGIT+. The longest match wins. On a tie, the
  // rule that comes first in the grammar wins: FLOAT, then INT, then BAD_NUMBER.
  auto digits_from = [this](size_t i) {
    while (IsDigit(At(i))) ++i;
    return i;
  };
  // Past [eE] [+-]? DIGIT+ at `i`, or `i` when no complete exponent is there.
  auto exponent_from = [&](size_t i) {
    if (At(i) != U'e' && At(i) != U'E') return i;
    size_t j = i + 1;
    if (At(j) == U'+' || At(j) == U'-') ++j;
    return IsDigit(At(j)) ? digits_from(j) : i;
  };
  size_t int_end = digits_from(text_[pos_] == U'-' ? pos_ + 1 : pos_);

  size_t float_end = pos_;
  if (At(int_end) == U'.' && IsDigit(At(int_end + 1))) {
    float_end = exponent_from(digits_from(int_end + 1));
  } else if (size_t end = exponent_from(int_end); end != int_end) {
    float_end = end;
  }

  // BAD_NUMBER: `-`? DIGIT+ ('.' DIGIT*)? ([eE] [+-]? DIGIT*)? [A-Za-z0-9_.]*. Only a sign after
  // the exponent letter is outside the last part, so taking every optional piece is longest.
  size_t bad_end = int_end;
  if (At(bad_end) == U'.') bad_end = digits_from(bad_end + 1);
  if ((At(bad_end) == U'e' || At(bad_end) == U'E') &&
      (At(bad_end + 1) == U'+' || At(bad_end + 1) == U'-')) {
    bad_end += 2;
  }
  while (IsNumberTail(At(bad_end))) ++bad_end;

  if (float_end >= bad_end) return {KfLexer::FLOAT, float_end - pos_};
  if (int_end >= bad_end) return {KfLexer::INT, int_end - pos_};
  return {KfLexer::BAD_NUMBER, bad_end - pos_};
}

Lexer::Match Lexer::ScanDoubleQuoted() const {
  if (text_.substr(pos_, 3) == U"\"\"\"") {
    // RAW_STRING: `"""` RAW_CHAR* `"""`, where RAW_CHAR* is any text in which every run of
    // quotes is shorter than three and followed by another character. So the string ends at the
    // first run of three or more quotes, which closes it with its first three. Without such a
    // run, UNTERMINATED_RAW_STRING takes the rest of the file.
    size_t run_start = pos_ + 3;
    for (size_t i = pos_ + 3; i < text_.size(); ++i) {
      if (text_[i] != U'"') {
        run_start = i + 1;
      } else if (i + 1 - run_start == 3) {
        return {KfLexer::RAW_STRING, run_start + 3 - pos_};
      }
    }
    return {KfLexer::UNTERMINATED_RAW_STRING, text_.size() - pos_};
  }
  // STRING: `"` STRING_CHAR* `"`, where STRING_CHAR is `\` and any character but a line break,
  // or a character other than `"`, `\` and line breaks. Otherwise UNTERMINATED_STRING, which
  // may end in one `\`.
  size_t end = pos_ + 1;
  while (true) {
    char32_t c = At(end);
    if (c == U'\\' && At(end + 1) != U'\r' && At(end + 1) != U'\n' && At(end + 1) != kEnd) {
      end += 2;
    } else if (c != U'"' && c != U'\\' && c != U'\r' && c != U'\n' && c != kEnd) {
      ++end;
    } else {
      break;
    }
  }
  if (At(end) == U'"') return {KfLexer::STRING, end + 1 - pos_};
  if (At(end) == U'\\') ++end;
  return {KfLexer::UNTERMINATED_STRING, end - pos_};
}

}  // namespace kfpc::parse
