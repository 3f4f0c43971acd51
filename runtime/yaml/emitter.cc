#include "runtime/yaml/emitter.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "runtime/yaml/plain_resolver.h"

// The emitter follows PyYAML's Emitter state for state: the same column, indent, whitespace and
// indention bookkeeping decides where line breaks and padding go, so that line folding matches.
// Scalars are handled as Unicode code points because PyYAML counts columns in characters.

namespace kfpc::yaml {

namespace {

constexpr int kBestIndent = 2;
constexpr size_t kBestWidth = 80;
// PyYAML counts a key's implicit `!!str` tag toward the 128-character limit of simple keys.
constexpr size_t kSimpleKeyLimit = 128 - 5;

// Decodes UTF-8 into `out`, replacing its contents. A byte outside a valid sequence becomes the
// code point of the same value, which the double-quoted writer then escapes as `\xNN`.
void DecodeUtf8(std::string_view text, std::u32string& out) {
  // Each byte yields at most one code point. Writing through a pointer into a string sized in
  // advance avoids the capacity check of push_back, which cost more than the decoding itself.
  out.resize(text.size());
  char32_t* next = out.data();
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xe ? 3
                                  : (byte >> 3) == 0x1e ? 4 : 0;
    char32_t cp = length == 1 ? byte : length == 2 ? (byte & 0x1f)
                                   : length == 3 ? (byte & 0x0f) : (byte & 0x07);
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xc0) == 0x80;
      cp = (cp << 6) | (next & 0x3f);
    }
    if (!valid) {
      *next++ = byte;
      ++i;
      continue;
    }
    *next++ = cp;
    i += length;
  }
  out.resize(static_cast<size_t>(next - out.data()));
}

// Writes the UTF-8 encoding of `cp`, at most 4 bytes, at `out`; returns the end of what it wrote.
char* EncodeUtf8(char32_t cp, char* out) {
  if (cp < 0x80) {
    *out++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<char>(0xc0 | (cp >> 6));
    *out++ = static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out++ = static_cast<char>(0xe0 | (cp >> 12));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out++ = static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out++ = static_cast<char>(0xf0 | (cp >> 18));
    *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out++ = static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

// Reads one character of a scalar as a code point. A scalar of ASCII bytes only is written from
// its bytes (Char = char), which skips decoding it. Every other scalar is decoded first.
template <typename Char>
char32_t CodePoint(std::basic_string_view<Char> text, size_t i) {
  if constexpr (std::is_same_v<Char, char>) {
    return static_cast<unsigned char>(text[i]);
  } else {
    return text[i];
  }
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool IsBreak(char32_t ch) { return ch == U'\n' || ch == 0x85 || ch == 0x2028 || ch == 0x2029; }

bool IsSpaceOrBreak(char32_t ch) {
  return ch == U'\0' || ch == U' ' || ch == U'\t' || ch == U'\r' || IsBreak(ch);
}

bool IsPrintableAscii(char32_t ch) { return ch >= 0x20 && ch <= 0x7e; }

// What PyYAML's analyze_scalar finds out about a string, reduced to what block style needs.
struct ScalarAnalysis {
  bool empty = false;
  bool multiline = false;
  bool allow_plain = true;  // block plain
  bool allow_single_quoted = true;
};

// Leading characters that make a plain scalar start a YAML indicator.
bool IsLeadingIndicator(char32_t ch) {
  switch (ch) {
    case U'#': case U',': case U'[': case U']': case U'{': case U'}': case U'&': case U'*':
    case U'!': case U'|': case U'>': case U'\'': case U'"': case U'%': case U'@': case U'`':
      return true;
    default:
      return false;
  }
}

ScalarAnalysis AnalyzeScalar(std::u32string_view text) {
  ScalarAnalysis result;
  if (text.empty()) {
    result.empty = true;
    return result;
  }
  bool block_indicators = text.starts_with(U"---") || text.starts_with(U"...");
  bool special = false, line_breaks = false;
  bool leading_space = false, leading_break = false, trailing_space = false,
       trailing_break = false, break_space = false, space_break = false;
  bool preceded_by_whitespace = true;
  bool previous_space = false, previous_break = false;
  const size_t size = text.size();
  for (size_t i = 0; i < size; ++i) {
    char32_t ch = text[i];
    bool followed_by_whitespace = i + 1 >= size || IsSpaceOrBreak(text[i + 1]);
    if (i == 0) {
      if (IsLeadingIndicator(ch)) block_indicators = true;
      if ((ch == U'?' || ch == U':' || ch == U'-') && followed_by_whitespace) {
        block_indicators = true;
      }
    } else {
      if (ch == U':' && followed_by_whitespace) block_indicators = true;
      if (ch == U'#' && preceded_by_whitespace) block_indicators = true;
    }
    if (IsBreak(ch)) line_breaks = true;
    // With allow_unicode off, every character outside printable ASCII needs an escape.
    if (ch != U'\n' && !IsPrintableAscii(ch)) special = true;
    if (ch == U' ') {
      leading_space = leading_space || i == 0;
      trailing_space = i == size - 1;
      break_space = break_space || previous_break;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(ch)) {
      leading_break = leading_break || i == 0;
      trailing_break = i == size - 1;
      space_break = space_break || previous_space;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_whitespace = IsSpaceOrBreak(ch);
  }
  result.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break || line_breaks ||
      block_indicators) {
    result.allow_plain = false;
  }
  if (break_space || space_break || special) {
    result.allow_plain = result.allow_single_quoted = false;
  }
  return result;
}

// Everything the style of a string scalar depends on, a function of its text alone.
struct StringScalar {
  ScalarAnalysis analysis;
  bool implicit = true;  // read back as a string when written plain, in YAML 1.1 and 1.2
  bool name = false;     // IsName below and implicit: written plain, byte for byte
  size_t length = 0;     // in code points
};

// Strings up to this many bytes that are not names (see IsName) have their StringScalar cached,
// because many values repeat once per task. Long texts such as scripts are mostly unique, so
// caching them would only cost memory.
constexpr size_t kMaxCachedScalarBytes = 256;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The texts that start with a letter and that the resolvers of plain_resolver.h read as a bool
// or a null in YAML 1.1 or 1.2; no other text that starts with a letter resolves to a non-string.
bool IsResolverWord(std::string_view text) {
  static constexpr std::string_view kWords[] = {
      "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
      "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"};
  if (text.size() > 5) return false;
  for (std::string_view word : kWords) {
    if (text == word) return true;
  }
  return false;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Whether the text is a letter or digit followed by letters, digits, `_`, `-`, `.` and `/`: the
// shape of most IR keys, task names and types. Such a text has no indicator, space, break or
// special character, so it can be written plain as far as AnalyzeScalar goes.
bool IsName(std::string_view text) {
  if (text.empty() || !(IsAsciiLetter(text[0]) || IsAsciiDigit(text[0]))) return false;
  for (char c : text) {
    if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '_' && c != '-' && c != '.' && c != '/') {
      return false;
    }
  }
  return true;
}

}  // namespace

// Writes nodes with PyYAML's layout rules, appending to a string. One instance writes one stream.
class Emitter {
 public:
  explicit Emitter(std::string& out) : out_(out) {}

  // Writes one entry of the block mapping that is the value of a top-level key. The output so
  // far ends with that key or with an earlier entry, so the entry starts on a new line.
  void EmitNestedEntry(const std::string& key, const Node& value) {
    indent_ = 0;  // the top-level mapping's
    size_t line_start = out_.rfind('\n');
    column_ = out_.size() - (line_start == std::string::npos ? 0 : line_start + 1);
    whitespace_ = indention_ = false;
    IncreaseIndent(false, false);
    EmitEntry(key, value);
  }

  void Emit(const std::vector<Node>& documents) {
    for (size_t i = 0; i < documents.size(); ++i) {
      if (i > 0) {
        WriteIndent();
        WriteIndicator("---", true);
      }
      EmitNode(documents[i], Context{});
      WriteIndent();
    }
  }

 private:
  struct Context {
    bool mapping = false;
    bool simple_key = false;
  };
  enum class Style { kPlain, kSingleQuoted, kDoubleQuoted };

  void EmitNode(const Node& node, Context context);
  void EmitSequence(const std::vector<Node>& items, Context context);
  void EmitMapping(const std::vector<Node::Entry>& entries);
  void EmitEntry(const std::string& key, const Node& value);
  // `scalar` is the analysis of a string scalar when the caller has it already.
  void EmitScalar(const std::string& text, bool is_string, Context context,
                  const StringScalar* scalar = nullptr);
  template <typename Char>
  void WriteScalar(std::basic_string_view<Char> text, Style style, bool split);
  void WriteEmptyCollection(const char* text);

  void WriteRaw(std::string_view data, size_t width);
  void WriteCodePoints(std::string_view text, size_t start, size_t end);
  void WriteCodePoints(std::u32string_view text, size_t start, size_t end);
  void WriteIndicator(std::string_view indicator, bool need_whitespace, bool whitespace = false,
                      bool indention = false);
  void WriteIndent();
  void WriteLineBreak();
  void IncreaseIndent(bool flow, bool indentless);
  template <typename Char>
  void WriteBreaks(std::basic_string_view<Char> text, size_t start, size_t end);
  template <typename Char>
  void WritePlain(std::basic_string_view<Char> text, bool split);
  template <typename Char>
  void WriteSingleQuoted(std::basic_string_view<Char> text, bool split);
  template <typename Char>
  void WriteDoubleQuoted(std::basic_string_view<Char> text, bool split);
  StringScalar AnalyzeString(const std::string& text);

  std::string& out_;
  std::u32string chars_;    // the code points of the scalar being written
  std::u32string scratch_;  // the code points of the string being analyzed
  std::unordered_map<std::string, StringScalar> analyzed_;
  size_t column_ = 0;
  int indent_ = -1;  // -1: no indent yet (PyYAML's None)
  bool whitespace_ = true;
  bool indention_ = true;
};

void Emitter::EmitNode(const Node& node, Context context) {
  struct Visitor {
    Emitter& emitter;
    Context context;
    void operator()(std::monostate) { emitter.EmitScalar("null", false, context); }
    void operator()(bool value) { emitter.EmitScalar(value ? "true" : "false", false, context); }
    void operator()(int64_t value) { emitter.EmitScalar(std::to_string(value), false, context); }
    void operator()(double value) { emitter.EmitScalar(YamlFloat(value), false, context); }
    void operator()(const Node::StringValue& value) {
      emitter.EmitScalar(value.text, true, context);
    }
    void operator()(const Node::SequenceItems& value) {
      if (value.items.empty()) return emitter.WriteEmptyCollection("[]");
      emitter.EmitSequence(value.items, context);
    }
    void operator()(const Node::MappingEntries& value) {
      if (value.entries.empty()) return emitter.WriteEmptyCollection("{}");
      emitter.EmitMapping(value.entries);
    }
  };
  std::visit(Visitor{*this, context}, node.value_);
}

void Emitter::WriteEmptyCollection(const char* text) {
  WriteIndicator(std::string_view(text, 1), true, /*whitespace=*/true);
  WriteIndicator(std::string_view(text + 1, 1), false);
}

void Emitter::EmitSequence(const std::vector<Node>& items, Context context) {
  int saved = indent_;
  // A sequence that is a mapping value starts at the key's column, unindented.
  IncreaseIndent(false, context.mapping && !indention_);
  for (const Node& item : items) {
    WriteIndent();
    WriteIndicator("-", true, false, /*indention=*/true);
    EmitNode(item, Context{});
  }
  indent_ = saved;
}

void Emitter::EmitMapping(const std::vector<Node::Entry>& entries) {
  int saved = indent_;
  IncreaseIndent(false, false);
  for (const auto& [key, value] : entries) EmitEntry(key, value);
  indent_ = saved;
}

void Emitter::EmitEntry(const std::string& key, const Node& value) {
  WriteIndent();
  StringScalar key_scalar = AnalyzeString(key);
  const ScalarAnalysis& analysis = key_scalar.analysis;
  if (key_scalar.length < kSimpleKeyLimit && !analysis.empty && !analysis.multiline) {
    EmitScalar(key, true, Context{true, true}, &key_scalar);
    WriteIndicator(":", false);
  } else {
    // A long, empty or multi-line key takes the explicit `? key` / `: value` form.
    WriteIndicator("?", true, false, /*indention=*/true);
    EmitScalar(key, true, Context{true, false}, &key_scalar);
    WriteIndent();
    WriteIndicator(":", true, false, /*indention=*/true);
  }
  EmitNode(value, Context{true, false});
}

void Emitter::EmitScalar(const std::string& text, bool is_string, Context context,
                         const StringScalar* scalar) {
  int saved = indent_;
  IncreaseIndent(true, false);
  Style style = Style::kPlain;
  StringScalar analyzed;
  if (is_string) {
    if (scalar == nullptr) {
      analyzed = AnalyzeString(text);
      scalar = &analyzed;
    }
    const ScalarAnalysis& analysis = scalar->analysis;
    bool plain_ok = scalar->implicit && analysis.allow_plain &&
                    !(context.simple_key && (analysis.empty || analysis.multiline));
    if (!plain_ok) {
      style = analysis.allow_single_quoted && !(context.simple_key && analysis.multiline)
                  ? Style::kSingleQuoted
                  : Style::kDoubleQuoted;
    }
  }
  bool split = !context.simple_key;
  if (style == Style::kPlain && is_string && scalar->name) {
    // What WritePlain does for a text without spaces.
    if (!whitespace_) WriteRaw(" ", 1);
    whitespace_ = indention_ = false;
    WriteRaw(text, text.size());
  } else if (IsAscii(text)) {
    WriteScalar(std::string_view(text), style, split);
  } else {
    DecodeUtf8(text, chars_);
    WriteScalar(std::u32string_view(chars_), style, split);
  }
  indent_ = saved;
}

template <typename Char>
void Emitter::WriteScalar(std::basic_string_view<Char> text, Style style, bool split) {
  switch (style) {
    case Style::kPlain:
      WritePlain(text, split);
      break;
    case Style::kSingleQuoted:
      WriteSingleQuoted(text, split);
      break;
    case Style::kDoubleQuoted:
      WriteDoubleQuoted(text, split);
      break;
  }
}

StringScalar Emitter::AnalyzeString(const std::string& text) {
  StringScalar scalar;
  if (IsName(text)) {
    scalar.length = text.size();
    // A name that starts with a letter resolves to a non-string only when it is one of the
    // resolvers' words. One that starts with a digit may be a number.
    if (IsAsciiLetter(text[0])) {
      scalar.implicit = !IsResolverWord(text);
    } else {
      DecodeUtf8(text, scratch_);
      scalar.implicit =
          !ResolvesAsNonStringYaml11(scratch_) && !ResolvesAsNonStringYaml12(scratch_);
    }
    scalar.name = scalar.implicit;
    return scalar;
  }
  auto cached = analyzed_.find(text);
  if (cached != analyzed_.end()) return cached->second;
  DecodeUtf8(text, scratch_);
  scalar.analysis = AnalyzeScalar(std::u32string_view(scratch_));
  // PyYAML quotes what its YAML 1.1 resolvers read as another type; kfpc also quotes what a
  // YAML 1.2 core-schema reader would (see emitter.h).
  scalar.implicit = !ResolvesAsNonStringYaml11(scratch_) && !ResolvesAsNonStringYaml12(scratch_);
  scalar.length = scratch_.size();
  if (text.size() <= kMaxCachedScalarBytes) analyzed_.emplace(text, scalar);
  return scalar;
}

void Emitter::IncreaseIndent(bool flow, bool indentless) {
  if (indent_ < 0) {
    indent_ = flow ? kBestIndent : 0;
  } else if (!indentless) {
    indent_ += kBestIndent;
  }
}

void Emitter::WriteRaw(std::string_view data, size_t width) {
  out_ += data;
  column_ += width;
}

void Emitter::WriteCodePoints(std::string_view text, size_t start, size_t end) {
  if (start < end) out_.append(text.data() + start, end - start);
  column_ += end - start;
}

void Emitter::WriteCodePoints(std::u32string_view text, size_t start, size_t end) {
  if (start < end) {
    // Room for 4 bytes per code point, cut back to what was written.
    size_t old_size = out_.size();
    out_.resize(old_size + 4 * (end - start));
    char* next = out_.data() + old_size;
    for (size_t i = start; i < end; ++i) next = EncodeUtf8(text[i], next);
    out_.resize(static_cast<size_t>(next - out_.data()));
  }
  column_ += end - start;
}

void Emitter::WriteIndicator(std::string_view indicator, bool need_whitespace, bool whitespace,
                             bool indention) {
  if (!whitespace_ && need_whitespace) WriteRaw(" ", 1);
  WriteRaw(indicator, indicator.size());
  whitespace_ = whitespace;
  indention_ = indention_ && indention;
}

void Emitter::WriteIndent() {
  size_t indent = indent_ < 0 ? 0 : static_cast<size_t>(indent_);
  if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) WriteLineBreak();
  if (column_ < indent) {
    whitespace_ = true;
    out_.append(indent - column_, ' ');
    column_ = indent;
  }
}

void Emitter::WriteLineBreak() {
  whitespace_ = true;
  indention_ = true;
  out_ += '\n';
  column_ = 0;
}

namespace {

// The escape PyYAML writes for a character in a double-quoted scalar.
std::string Escape(char32_t ch) {
  switch (ch) {
    case U'\0': return "\\0";
    case 0x07: return "\\a";
    case 0x08: return "\\b";
    case 0x09: return "\\t";
    case 0x0a: return "\\n";
    case 0x0b: return "\\v";
    case 0x0c: return "\\f";
    case 0x0d: return "\\r";
    case 0x1b: return "\\e";
    case U'"': return "\\\"";
    case U'\\': return "\\\\";
    case 0x85: return "\\N";
    case 0xa0: return "\\_";
    case 0x2028: return "\\L";
    case 0x2029: return "\\P";
    default: break;
  }
  char buffer[16];
  if (ch <= 0xff) {
    std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned>(ch));
  } else if (ch <= 0xffff) {
    std::snprintf(buffer, sizeof buffer, "\\u%04X", static_cast<unsigned>(ch));
  } else {
    std::snprintf(buffer, sizeof buffer, "\\U%08X", static_cast<unsigned>(ch));
  }
  return buffer;
}

bool NeedsEscape(char32_t ch) {
  return ch == U'"' || ch == U'\\' || ch == 0xfeff || !IsPrintableAscii(ch);
}

}  // namespace

template <typename Char>
void Emitter::WritePlain(std::basic_string_view<Char> text, bool split) {
  if (text.empty()) return;
  if (!whitespace_) WriteRaw(" ", 1);
  whitespace_ = indention_ = false;
  // Plain scalars never hold line breaks (AnalyzeScalar rules that out), only spaces.
  bool spaces = false;
  size_t start = 0;
  const size_t size = text.size();
  for (size_t end = 0; end <= size; ++end) {
    bool at_end = end == size;
    char32_t ch = at_end ? U'\0' : CodePoint(text, end);
    if (spaces) {
      if (at_end || ch != U' ') {
        // A single space past the width becomes a line break.
        if (start + 1 == end && column_ > kBestWidth && split) {
          WriteIndent();
          whitespace_ = indention_ = false;
        } else {
          WriteCodePoints(text, start, end);
        }
        start = end;
      }
    } else if (at_end || ch == U' ') {
      WriteCodePoints(text, start, end);
      start = end;
    }
    spaces = !at_end && ch == U' ';
  }
}

template <typename Char>
void Emitter::WriteBreaks(std::basic_string_view<Char> text, size_t start, size_t end) {
  // A folded scalar needs one extra line break to keep the first one.
  if (CodePoint(text, start) == U'\n') WriteLineBreak();
  for (size_t i = start; i < end; ++i) WriteLineBreak();
  WriteIndent();
}

template <typename Char>
void Emitter::WriteSingleQuoted(std::basic_string_view<Char> text, bool split) {
  WriteIndicator("'", true);
  bool spaces = false, breaks = false;
  size_t start = 0;
  const size_t size = text.size();
  for (size_t end = 0; end <= size; ++end) {
    bool at_end = end == size;
    char32_t ch = at_end ? U'\0' : CodePoint(text, end);
    if (spaces) {
      if (at_end || ch != U' ') {
        if (start + 1 == end && column_ > kBestWidth && split && start != 0 && end != size) {
          WriteIndent();
        } else {
          WriteCodePoints(text, start, end);
        }
        start = end;
      }
    } else if (breaks) {
      if (at_end || !IsBreak(ch)) {
        WriteBreaks(text, start, end);
        start = end;
      }
    } else if ((at_end || ch == U' ' || IsBreak(ch) || ch == U'\'') && start < end) {
      WriteCodePoints(text, start, end);
      start = end;
    }
    if (!at_end && ch == U'\'') {
      WriteRaw("''", 2);
      start = end + 1;
    }
    spaces = !at_end && ch == U' ';
    breaks = !at_end && IsBreak(ch);
  }
  WriteIndicator("'", false);
}

template <typename Char>
void Emitter::WriteDoubleQuoted(std::basic_string_view<Char> text, bool split) {
  WriteIndicator("\"", true);
  size_t start = 0;
  const size_t size = text.size();
  for (size_t end = 0; end <= size; ++end) {
    bool at_end = end == size;
    char32_t ch = at_end ? U'\0' : CodePoint(text, end);
    if (at_end || NeedsEscape(ch)) {
      if (start < end) {
        WriteCodePoints(text, start, end);
        start = end;
      }
      if (!at_end) {
        std::string escape = Escape(ch);
        WriteRaw(escape, escape.size());
        start = end + 1;
      }
    }
    // Fold at a space or right after an escape once the line would pass the width; `start` may
    // be one past `end` here, so the pending length is signed.
    auto pending = static_cast<long long>(end) - static_cast<long long>(start);
    if (end > 0 && end + 1 < size && (ch == U' ' || start >= end) &&
        static_cast<long long>(column_) + pending > static_cast<long long>(kBestWidth) && split) {
      if (start < end) {
        WriteCodePoints(text, start, end);
        start = end;
      }
      WriteRaw("\\", 1);
      WriteIndent();
      whitespace_ = indention_ = false;
      // A line that starts with a space escapes it, so that the reader keeps it.
      if (CodePoint(text, start) == U' ') WriteRaw("\\", 1);
    }
  }
  WriteIndicator("\"", false);
}

std::string EmitDocuments(const std::vector<Node>& documents) {
  std::string out;
  Emitter(out).Emit(documents);
  return out;
}

void AppendDocuments(const std::vector<Node>& documents, std::string& out) {
  Emitter(out).Emit(documents);
}

void AppendNestedEntry(const std::string& key, const Node& value, std::string& out) {
  Emitter(out).EmitNestedEntry(key, value);
}

}  // namespace kfpc::yaml
