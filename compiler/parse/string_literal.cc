#include "compiler/parse/string_literal.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "compiler/diagnostics/utf8.h"

namespace kfpc::parse {

namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

char32_t HexValue(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The bytes of the UTF-8 sequence that starts with `lead`; a stray byte counts alone.
size_t SequenceLength(char lead) {
  return std::max<size_t>(1, diag::Utf8SequenceLength(static_cast<unsigned char>(lead)));
}

// Walks the content of one string literal, appending to a DecodedString.
class StringDecoder {
 public:
  StringDecoder(std::string_view text, diag::Span content, diag::DiagnosticSink& sink)
      : text_(text), content_(content), sink_(sink) {}

  DecodedString Run() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\') {
        Escape();
      } else if (c == '{') {
        Interpolation();
      } else if (c == '}') {
        Report(diag::Kind::kInvalidInterpolation, pos_, pos_ + 1, "unmatched `}` in a string")
            .help = "write `\\}` for a literal `}`";
        Literal(pos_, pos_ + 1, "}");
      } else {
        size_t length = std::min(SequenceLength(c), text_.size() - pos_);
        Literal(pos_, pos_ + length, text_.substr(pos_, length));
      }
    }
    return std::move(result_);
  }

 private:
  diag::Span At(size_t begin, size_t end) const {
    return {content_.file, content_.begin + static_cast<uint32_t>(begin),
            content_.begin + static_cast<uint32_t>(end)};
  }

  diag::Diagnostic& Report(diag::Kind kind, size_t begin, size_t end, std::string message) {
    return sink_.Report(kind, At(begin, end), std::move(message));
  }

  // Appends decoded text that the source writes as bytes [begin, end), merging it into the
  // literal part before it.
  void Literal(size_t begin, size_t end, std::string_view decoded) {
    TrackBackendPlaceholder(begin, end, decoded);
    result_.value.append(decoded);
    if (result_.parts.empty() || result_.parts.back().is_interpolation) {
      ast::StringPart& part = result_.parts.emplace_back();
      part.span = At(begin, end);
    }
    result_.parts.back().text.append(decoded);
    result_.parts.back().span.end = At(begin, end).end;
    pos_ = end;
  }

  void Escape() {
    size_t begin = pos_;
    if (begin + 1 >= text_.size()) {  // a backslash that ends an unterminated string
      pos_ = text_.size();
      return;
    }
    char c = text_[begin + 1];
    static constexpr std::string_view kFrom = "\"\\ntr{}", kTo = "\"\\\n\t\r{}";
    if (c == '$') {
      escaped_dollar_ = true;
      Literal(begin, begin + 2, "$");
      escaped_dollar_ = false;
    } else if (size_t i = kFrom.find(c); i != std::string_view::npos) {
      Literal(begin, begin + 2, kTo.substr(i, 1));
    } else if (c == 'u') {
      UnicodeEscape();
    } else {
      size_t end = std::min(begin + 1 + SequenceLength(c), text_.size());
      Report(diag::Kind::kInvalidEscape, begin, end,
             fmt::format("invalid escape `{}` in a string", text_.substr(begin, end - begin)))
          .help =
          "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\{`, `\\}`, `\\$` and "
          "`\\u{HEX}`";
      Literal(begin, end, text_.substr(begin + 1, end - begin - 1));
    }
  }

  // `\u{HEX}` with one to six hexadecimal digits naming a Unicode scalar value.
  void UnicodeEscape() {
    size_t begin = pos_, end = begin + 2;
    char32_t value = 0;
    bool valid = end < text_.size() && text_[end] == '{';
    size_t digits = 0;
    if (valid) {
      for (++end; end < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[end]));
           ++end, ++digits) {
        if (digits < 8) value = value * 16 + HexValue(text_[end]);
      }
      valid = end < text_.size() && text_[end] == '}' && digits >= 1 && digits <= 6 &&
              value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
      if (end < text_.size() && text_[end] == '}') ++end;
    }
    if (!valid) {
      Report(diag::Kind::kInvalidEscape, begin, end,
             fmt::format("invalid unicode escape `{}`", text_.substr(begin, end - begin)))
          .help = "write `\\u{` and the 1 to 6 hexadecimal digits of a code point, then `}`";
      pos_ = end;
      return;
    }
    if (value == 0) {
      // A NUL cannot reach a container: argv and environment strings end at the first one.
      Report(diag::Kind::kInvalidEscape, begin, end, "a string cannot contain NUL (`\\u{0}`)")
          .help = "remove the `\\u{0}` escape, because argv and environment strings end at a NUL";
      pos_ = end;
      return;
    }
    std::string decoded;
    AppendUtf8(value, &decoded);
    Literal(begin, end, decoded);
  }

  // Reports a decoded `{{$` whose `$` is not written `\$`: the KFP backend replaces `{{$...}}`
  // in commands, arguments and parameter values at run time, and has no escape for it.
  void TrackBackendPlaceholder(size_t begin, size_t end, std::string_view decoded) {
    if (decoded == "{") {
      brace_begins_[0] = brace_begins_[1];
      brace_begins_[1] = begin;
      ++brace_run_;
      return;
    }
    if (decoded == "$" && brace_run_ >= 2 && !escaped_dollar_) {
      Report(diag::Kind::kBackendPlaceholderInString, brace_begins_[0], end,
             "`{{$` in a string is a placeholder that the KFP backend replaces at run time")
          .help = BackendPlaceholderHelp(false);
    }
    brace_run_ = 0;
  }

  // `{name}` or `{task.output}`.
  void Interpolation() {
    size_t begin = pos_;
    brace_run_ = 0;
    // One search serves every `{` before the `}` it finds, so a run of `{` stays linear.
    if (!close_searched_ || (next_close_ != std::string_view::npos && next_close_ < begin)) {
      next_close_ = text_.find('}', begin);
      close_searched_ = true;
    }
    size_t close = next_close_;
    if (close == std::string_view::npos) {
      // No `}` follows, so no later `{` of the string is closed either. Only the first is
      // reported: once it is closed or escaped, the next run reports the next.
      if (!unclosed_reported_) {
        Report(diag::Kind::kInvalidInterpolation, begin, begin + 1, "unclosed `{` in a string")
            .help = "close the interpolation with `}`, or write `\\{` for a literal `{`";
        unclosed_reported_ = true;
      }
      Literal(begin, begin + 1, "{");
      return;
    }
    ast::StringPart part;
    part.is_interpolation = true;
    part.span = At(begin, close + 1);
    part.text = std::string(text_.substr(begin + 1, close - begin - 1));
    if (!SplitPath(begin + 1, close, &part)) {
      Report(diag::Kind::kInvalidInterpolation, begin, close + 1,
             fmt::format("invalid interpolation `{}`", text_.substr(begin, close + 1 - begin)))
          .help = "write a name such as `{epochs}` or `{task.output}`, or `\\{` for a literal `{`";
      Literal(begin, close + 1, text_.substr(begin, close + 1 - begin));
      return;
    }
    result_.value.append("{").append(part.text).append("}");
    result_.parts.push_back(std::move(part));
    pos_ = close + 1;
  }

  // Splits `a.b.c` in [begin, end) into names; false unless it is names joined by dots.
  bool SplitPath(size_t begin, size_t end, ast::StringPart* part) {
    size_t start = begin;
    for (size_t i = begin; i <= end; ++i) {
      if (i < end && text_[i] != '.') {
        if (i == start ? !IsNameStart(text_[i]) : !IsNameChar(text_[i])) return false;
        continue;
      }
      if (i == start) return false;
      part->path.emplace_back(text_.substr(start, i - start));
      part->path_spans.push_back(At(start, i));
      start = i + 1;
    }
    return true;
  }

  std::string_view text_;
  diag::Span content_;
  diag::DiagnosticSink& sink_;
  size_t pos_ = 0;
  DecodedString result_;
  bool close_searched_ = false;
  size_t next_close_ = 0;        // the first `}` at or after the last search, or npos
  size_t brace_run_ = 0;        // decoded `{` just before the current position
  size_t brace_begins_[2] = {};  // where the last two of them are written
  bool escaped_dollar_ = false;  // the `$` being decoded was written `\$`
  bool unclosed_reported_ = false;  // an unclosed `{` of this string was reported
};

}  // namespace

DecodedString DecodeString(std::string_view text, diag::Span content, diag::DiagnosticSink& sink) {
  return StringDecoder(text, content, sink).Run();
}

std::string BackendPlaceholderHelp(bool raw) {
  if (raw) {
    return "raw strings have no escapes: to keep the text, put a space between `{{` and `$`; "
           "to pass a KFP placeholder on purpose, write it in a `\"...\"` string as `\\{\\{\\$...`";
  }
  return "to keep the text, put a space between `{{` and `$`; to pass a KFP placeholder on "
         "purpose, write its `$` as `\\$`";
}

void CheckRawStringPlaceholders(std::string_view value, diag::Span content,
                                diag::DiagnosticSink& sink) {
  size_t found = value.find("{{$");
  if (found == std::string_view::npos) return;
  auto begin = content.begin + static_cast<uint32_t>(found);
  sink.Report(diag::Kind::kBackendPlaceholderInString, {content.file, begin, begin + 3},
              "`{{$` in a string is a placeholder that the KFP backend replaces at run time")
      .help = BackendPlaceholderHelp(true);
}

std::string DecodeRawString(std::string_view text, diag::Span* content) {
  size_t first_line_end = text.find_first_of("\r\n");
  if (first_line_end != std::string_view::npos &&
      text.find_first_not_of(" \t") >= first_line_end) {
    size_t break_size = text.substr(first_line_end, 2) == "\r\n" ? 2 : 1;
    text.remove_prefix(first_line_end + break_size);
    content->begin += static_cast<uint32_t>(first_line_end + break_size);
  }
  // As Python does with source text, CR LF and a lone CR become LF, so that a script written
  // on Windows runs the same.
  std::string value;
  value.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      value.push_back(text[i]);
    } else if (i + 1 == text.size() || text[i + 1] != '\n') {
      value.push_back('\n');
    }
  }
  return value;
}

}  // namespace kfpc::parse
