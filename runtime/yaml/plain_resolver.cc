#include "runtime/yaml/plain_resolver.h"

#include <array>

// Hand-written matchers for the resolver patterns. Each one scans the text once, so the cost is
// linear in its length (a regular expression engine may backtrack or recurse on long input).

namespace kfpc::yaml {
namespace {

// A read position in the text with the few steps the patterns need.
class Cursor {
 public:
  explicit Cursor(std::u32string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  char32_t Peek() const { return AtEnd() ? U'\0' : text_[pos_]; }
  size_t Pos() const { return pos_; }
  void Reset(size_t pos) { pos_ = pos; }

  // Consumes one character that is in `set` (ASCII), returning whether it did.
  bool Take(std::string_view set) {
    if (AtEnd() || text_[pos_] > 0x7f || set.find(static_cast<char>(text_[pos_])) ==
                                            std::string_view::npos) {
      return false;
    }
    ++pos_;
    return true;
  }
  // Consumes characters in `set`, returning how many.
  size_t TakeAll(std::string_view set) {
    size_t count = 0;
    while (Take(set)) ++count;
    return count;
  }
  // Consumes the exact word, or nothing.
  bool TakeWord(std::u32string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

 private:
  std::u32string_view text_;
  size_t pos_ = 0;
};

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kDigitsUnderscore = "0123456789_";
constexpr std::string_view kSign = "+-";

bool IsOneOf(std::u32string_view text, std::initializer_list<std::u32string_view> words) {
  for (std::u32string_view word : words) {
    if (text == word) return true;
  }
  return false;
}

// Consumes `(:[0-5]?[0-9])+`, the sexagesimal tail of YAML 1.1 ints and floats.
bool TakeSexagesimal(Cursor& c) {
  size_t groups = 0;
  while (c.Take(":")) {
    if (c.Take("012345")) {
      c.Take(kDigits);
    } else if (!c.Take(kDigits)) {
      return false;
    }
    ++groups;
  }
  return groups > 0;
}

bool IsYaml11Int(std::u32string_view text) {
  Cursor c(text);
  c.Take(kSign);
  size_t start = c.Pos();
  if (c.TakeWord(U"0b")) return c.TakeAll("01_") > 0 && c.AtEnd();
  c.Reset(start);
  if (c.TakeWord(U"0x")) return c.TakeAll("0123456789abcdefABCDEF_") > 0 && c.AtEnd();
  c.Reset(start);
  if (c.Take("0")) return c.AtEnd() || (c.TakeAll("01234567_") > 0 && c.AtEnd());
  if (!c.Take("123456789")) return false;
  c.TakeAll(kDigitsUnderscore);
  if (c.AtEnd()) return true;
  return TakeSexagesimal(c) && c.AtEnd();
}

// Consumes `[eE][-+][0-9]+` when present; false when it starts but does not complete.
bool TakeYaml11Exponent(Cursor& c) {
  if (!c.Take("eE")) return true;
  return c.Take(kSign) && c.TakeAll(kDigits) > 0;
}

bool IsYaml11Float(std::u32string_view text) {
  if (IsOneOf(text, {U".nan", U".NaN", U".NAN", U".inf", U".Inf", U".INF", U"+.inf", U"+.Inf",
                     U"+.INF", U"-.inf", U"-.Inf", U"-.INF"})) {
    return true;
  }
  Cursor c(text);
  if (c.Take(".")) {
    if (!c.Take(kDigits)) return false;
    c.TakeAll(kDigitsUnderscore);
    return TakeYaml11Exponent(c) && c.AtEnd();
  }
  c.Take(kSign);
  if (!c.Take(kDigits)) return false;
  c.TakeAll(kDigitsUnderscore);
  bool sexagesimal = c.Peek() == U':';
  if (sexagesimal && !TakeSexagesimal(c)) return false;
  if (!c.Take(".")) return false;
  c.TakeAll(kDigitsUnderscore);
  if (sexagesimal) return c.AtEnd();  // no exponent after a sexagesimal float
  return TakeYaml11Exponent(c) && c.AtEnd();
}

// Consumes exactly `count_min` to `count_max` digits.
bool TakeDigits(Cursor& c, size_t count_min, size_t count_max) {
  size_t count = 0;
  while (count < count_max && c.Take(kDigits)) ++count;
  return count >= count_min;
}

bool IsYaml11Timestamp(std::u32string_view text) {
  Cursor c(text);
  if (!TakeDigits(c, 4, 4) || !c.Take("-")) return false;
  size_t after_year = c.Pos();
  if (TakeDigits(c, 2, 2) && c.Take("-") && TakeDigits(c, 2, 2) && c.AtEnd()) return true;
  c.Reset(after_year);
  if (!TakeDigits(c, 1, 2) || !c.Take("-") || !TakeDigits(c, 1, 2)) return false;
  if (!c.Take("Tt") && c.TakeAll(" \t") == 0) return false;
  if (!TakeDigits(c, 1, 2) || !c.Take(":") || !TakeDigits(c, 2, 2) || !c.Take(":") ||
      !TakeDigits(c, 2, 2)) {
    return false;
  }
  if (c.Take(".")) c.TakeAll(kDigits);
  if (c.AtEnd()) return true;
  c.TakeAll(" \t");
  if (c.Take("Z")) return c.AtEnd();
  if (!c.Take(kSign) || !TakeDigits(c, 1, 2)) return false;
  if (c.Take(":") && !TakeDigits(c, 2, 2)) return false;
  return c.AtEnd();
}

bool IsYaml12Number(std::u32string_view text) {
  if (IsOneOf(text, {U".nan", U".NaN", U".NAN", U".inf", U".Inf", U".INF", U"+.inf", U"+.Inf",
                     U"+.INF", U"-.inf", U"-.Inf", U"-.INF"})) {
    return true;
  }
  Cursor c(text);
  if (c.TakeWord(U"0o")) return c.TakeAll("01234567") > 0 && c.AtEnd();
  if (c.TakeWord(U"0x")) return c.TakeAll("0123456789abcdefABCDEF") > 0 && c.AtEnd();
  c.Take(kSign);
  size_t int_digits = c.TakeAll(kDigits);
  size_t fraction_digits = 0;
  if (c.Take(".")) fraction_digits = c.TakeAll(kDigits);
  if (int_digits == 0 && fraction_digits == 0) return false;
  if (c.Take("eE")) {
    c.Take(kSign);
    if (c.TakeAll(kDigits) == 0) return false;
  }
  return c.AtEnd();
}

}  // namespace

bool ResolvesAsNonStringYaml11(std::u32string_view text) {
  if (text.empty()) return true;  // null
  if (IsOneOf(text, {U"yes", U"Yes", U"YES", U"no", U"No", U"NO", U"true", U"True", U"TRUE",
                     U"false", U"False", U"FALSE", U"on", U"On", U"ON", U"off", U"Off", U"OFF",
                     U"~", U"null", U"Null", U"NULL", U"<<", U"="})) {
    return true;
  }
  return IsYaml11Int(text) || IsYaml11Float(text) || IsYaml11Timestamp(text);
}

bool ResolvesAsNonStringYaml12(std::u32string_view text) {
  if (IsOneOf(text, {U"", U"~", U"null", U"Null", U"NULL", U"true", U"True", U"TRUE", U"false",
                     U"False", U"FALSE"})) {
    return true;
  }
  return IsYaml12Number(text);
}

}  // namespace kfpc::yaml
