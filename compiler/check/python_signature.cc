#include "compiler/check/python_signature.h"

#include <algorithm>
#include <cctype>

namespace kfpc::check {

namespace {

struct Token {
  enum class Kind { kName, kString, kNumber, kOp, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;  // name, decoded string contents, number or operator
  size_t begin = 0, end = 0;
};

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Splits the signature into tokens. Newlines are skipped: inside the parentheses of a signature
// they carry no meaning, and the scan stops at the `:` that ends the signature.
class Tokenizer {
 public:
  Tokenizer(std::string_view source, size_t position) : source_(source), position_(position) {}

  Token Next() {
    SkipSpace();
    Token token;
    token.begin = position_;
    if (position_ >= source_.size()) {
      token.end = position_;
      return token;
    }
    char c = source_[position_];
    if (IsNameStart(c)) {
      while (position_ < source_.size() && IsNameChar(source_[position_])) ++position_;
      token.kind = Token::Kind::kName;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      // The sign of a decimal exponent belongs to the number: `1e-3`, not `1e` and `- 3`.
      bool hex = source_.substr(position_, 2) == "0x" || source_.substr(position_, 2) == "0X";
      while (position_ < source_.size() &&
             (IsNameChar(source_[position_]) || source_[position_] == '.')) {
        char last = source_[position_++];
        if (!hex && (last == 'e' || last == 'E') && position_ < source_.size() &&
            (source_[position_] == '-' || source_[position_] == '+')) {
          ++position_;
        }
      }
      token.kind = Token::Kind::kNumber;
    } else if (c == '\'' || c == '"') {
      return ScanString(token);
    } else {
      bool two = source_.substr(position_, 2) == "->" || source_.substr(position_, 2) == "**";
      position_ += two ? 2 : 1;
      token.kind = Token::Kind::kOp;
    }
    token.end = position_;
    token.text = std::string(source_.substr(token.begin, token.end - token.begin));
    return token;
  }

 private:
  void SkipSpace() {
    while (position_ < source_.size()) {
      char c = source_[position_];
      if (c == '#') {
        while (position_ < source_.size() && source_[position_] != '\n') ++position_;
      } else if (c == '\\' || std::isspace(static_cast<unsigned char>(c))) {
        ++position_;
      } else {
        return;
      }
    }
  }

  Token ScanString(Token& token) {
    char quote = source_[position_];
    bool triple = source_.substr(position_, 3) == std::string(3, quote);
    size_t delimiter = triple ? 3 : 1;
    position_ += delimiter;
    size_t content = position_;
    while (position_ < source_.size()) {
      if (source_[position_] == '\\') {
        position_ += 2;
        continue;
      }
      if (source_.substr(position_, delimiter) == std::string(delimiter, quote)) break;
      if (!triple && source_[position_] == '\n') break;
      ++position_;
    }
    token.kind = Token::Kind::kString;
    token.text = std::string(source_.substr(content, std::min(position_, source_.size()) - content));
    position_ = std::min(position_ + delimiter, source_.size());
    token.end = position_;
    return token;
  }

  std::string_view source_;
  size_t position_;
};

// A `def` that starts a line of code, outside strings and comments.
struct DefLine {
  size_t position;  // of `def`
  size_t indent;
  std::string name;
};

// Lists the `def` lines of `source`, skipping the text of comments and of string literals, so
// that a `def` in a docstring or a comment is not taken for a definition.
std::vector<DefLine> FindDefLines(std::string_view source) {
  std::vector<DefLine> found;
  size_t i = 0;
  bool line_start = true;
  while (i < source.size()) {
    char c = source[i];
    if (line_start) {
      line_start = false;
      size_t text = source.find_first_not_of(" \t", i);
      if (text == std::string_view::npos) break;
      size_t def = text;
      if (source.substr(def, 6) == "async ") def = source.find_first_not_of(" \t", def + 6);
      if (def != std::string_view::npos && source.substr(def, 4) == "def " ) {
        // `def ` and nothing after it at the end of the source has an empty name.
        size_t name_begin = std::min(source.find_first_not_of(" \t", def + 4), source.size());
        size_t name_end = name_begin;
        while (name_end < source.size() && IsNameChar(source[name_end])) ++name_end;
        found.push_back({def, text - i,
                         std::string(source.substr(name_begin, name_end - name_begin))});
      }
      i = text;
      continue;
    }
    if (c == '\n') {
      line_start = true;
      ++i;
    } else if (c == '#') {
      while (i < source.size() && source[i] != '\n') ++i;
    } else if (c == '\'' || c == '"') {
      // Prefixes such as r, b and f only change escapes, which are skipped alike here.
      std::string delimiter(source.substr(i, 3) == std::string(3, c) ? 3 : 1, c);
      i += delimiter.size();
      while (i < source.size() && source.substr(i, delimiter.size()) != delimiter) {
        if (delimiter.size() == 1 && source[i] == '\n') break;  // unterminated
        i += source[i] == '\\' ? 2 : 1;
      }
      i = std::min(i + delimiter.size(), source.size());
    } else if (c == '\\') {
      i += 2;  // a line continuation joins the next line to this one
    } else {
      ++i;
    }
  }
  return found;
}

// Finds the function that KFP runs: the last top-level `def function_name`, since a later
// definition of a name replaces an earlier one when the module runs. Without one, returns the
// first top-level `def`, whose name the caller reports. Top level is the smallest indentation of
// any `def`, because the source may be indented as a whole.
std::optional<size_t> FindDef(std::string_view source, std::string_view function_name) {
  std::vector<DefLine> defs = FindDefLines(source);
  if (defs.empty()) return std::nullopt;
  size_t top = defs.front().indent;
  for (const DefLine& def : defs) top = std::min(top, def.indent);
  std::optional<size_t> first, named;
  for (const DefLine& def : defs) {
    if (def.indent != top) continue;
    if (!first) first = def.position;
    if (def.name == function_name) named = def.position;
  }
  return named ? named : first;
}

class SignatureParser {
 public:
  explicit SignatureParser(std::string_view source, size_t start) : tokens_(source, start) {
    Advance();
  }

  PyScanResult Parse();

 private:
  void Advance() {
    last_end_ = current_.end;
    current_ = tokens_.Next();
  }
  bool IsOp(const char* op) const {
    return current_.kind == Token::Kind::kOp && current_.text == op;
  }
  bool Expect(const char* op, const std::string& what);
  std::optional<PyExpr> ParseExpr();
  std::optional<PyExpr> ParsePostfix();
  std::optional<PyExpr> ParsePrimary();
  bool ParseItems(const char* close, std::vector<PyExpr>* items,
                  std::vector<PyKeyword>* keywords);
  bool SkipDefault(std::optional<PyExpr>* literal);
  bool ParseParam(PySignature& signature);
  void Fail(const std::string& message) {
    if (!failed_) error_ = {message, current_.begin, std::max(current_.end, current_.begin + 1)};
    failed_ = true;
  }

  Tokenizer tokens_;
  Token current_;
  PyError error_;
  bool failed_ = false;
  size_t last_end_ = 0;  // end of the last consumed token
  // How many brackets and unary `-` enclose the current token. The parser recurses for each, so
  // the depth is limited before the stack runs out.
  int depth_ = 0;
  static constexpr int kMaxDepth = 100;

  // Counts one level while it lives; Deeper() reports when the limit is passed.
  class Nested {
   public:
    explicit Nested(SignatureParser& parser) : parser_(parser) { ++parser_.depth_; }
    ~Nested() { --parser_.depth_; }
    bool Deeper() {
      if (parser_.depth_ <= kMaxDepth) return false;
      parser_.Fail("the signature nests brackets or `-` more than " + std::to_string(kMaxDepth) +
                   " levels deep");
      return true;
    }

   private:
    SignatureParser& parser_;
  };
};

bool SignatureParser::Expect(const char* op, const std::string& what) {
  if (IsOp(op)) {
    Advance();
    return true;
  }
  Fail("expected `" + std::string(op) + "` " + what);
  return false;
}

bool SignatureParser::ParseItems(const char* close, std::vector<PyExpr>* items,
                                 std::vector<PyKeyword>* keywords) {
  Nested nested(*this);
  if (nested.Deeper()) return false;
  while (!IsOp(close)) {
    std::optional<PyExpr> item = ParseExpr();
    if (!item) return false;
    if (keywords && IsOp("=") && item->kind == PyExpr::Kind::kName) {
      Advance();
      std::optional<PyExpr> value = ParseExpr();
      if (!value) return false;
      keywords->push_back(PyKeyword{item->text, std::move(*value)});
    } else {
      items->push_back(std::move(*item));
    }
    if (!IsOp(",")) break;
    Advance();
  }
  return Expect(close, "to close the brackets");
}

std::optional<PyExpr> SignatureParser::ParsePrimary() {
  PyExpr expr;
  expr.begin = current_.begin;
  if (current_.kind == Token::Kind::kName) {
    expr.text = current_.text;
    Advance();
    while (IsOp(".")) {
      Advance();
      if (current_.kind != Token::Kind::kName) return Fail("expected a name after `.`"), std::nullopt;
      expr.text += "." + current_.text;
      Advance();
    }
  } else if (current_.kind == Token::Kind::kString || current_.kind == Token::Kind::kNumber) {
    expr.kind = current_.kind == Token::Kind::kString ? PyExpr::Kind::kString
                                                      : PyExpr::Kind::kNumber;
    expr.text = current_.text;
    Advance();
  } else if (IsOp("[") || IsOp("(")) {
    bool list = IsOp("[");
    expr.kind = list ? PyExpr::Kind::kList : PyExpr::Kind::kTuple;
    Advance();
    if (!ParseItems(list ? "]" : ")", &expr.args, nullptr)) return std::nullopt;
  } else if (IsOp("-")) {
    size_t begin = current_.begin;
    Advance();
    Nested nested(*this);
    if (nested.Deeper()) return std::nullopt;
    std::optional<PyExpr> operand = ParsePrimary();
    if (!operand) return std::nullopt;
    if (operand->kind != PyExpr::Kind::kNumber) {
      Fail("`-` must come before a number");
      return std::nullopt;
    }
    expr = std::move(*operand);
    expr.begin = begin;
  } else {
    Fail("unexpected `" + current_.text + "` in the signature");
    return std::nullopt;
  }
  expr.end = last_end_;
  return expr;
}

std::optional<PyExpr> SignatureParser::ParseExpr() {
  std::optional<PyExpr> expr = ParsePostfix();
  if (expr && IsOp("|")) {
    PyExpr either;
    either.kind = PyExpr::Kind::kUnion;
    either.begin = expr->begin;
    either.args.push_back(std::move(*expr));
    while (IsOp("|")) {
      Advance();
      std::optional<PyExpr> next = ParsePostfix();
      if (!next) return std::nullopt;
      either.args.push_back(std::move(*next));
    }
    either.end = either.args.back().end;
    expr = std::move(either);
  }
  return expr;
}

// Parses a primary expression with its subscripts and calls, such as `Input[Dataset]`.
std::optional<PyExpr> SignatureParser::ParsePostfix() {
  std::optional<PyExpr> expr = ParsePrimary();
  while (expr && (IsOp("[") || IsOp("("))) {
    bool subscript = IsOp("[");
    PyExpr outer;
    outer.kind = subscript ? PyExpr::Kind::kSubscript : PyExpr::Kind::kCall;
    outer.text = expr->text;
    outer.begin = expr->begin;
    Advance();
    if (!ParseItems(subscript ? "]" : ")", &outer.args, subscript ? nullptr : &outer.keywords)) {
      return std::nullopt;
    }
    outer.end = last_end_;
    expr = std::move(outer);
  }
  return expr;
}

// Skips a default value up to the `,` or `)` that ends it. A default of one name, string or
// number, or `-` and a number, is kept in `literal`.
bool SignatureParser::SkipDefault(std::optional<PyExpr>* literal) {
  int depth = 0;
  std::vector<Token> tokens;
  while (current_.kind != Token::Kind::kEnd) {
    if (depth == 0 && (IsOp(",") || IsOp(")"))) {
      bool negative = tokens.size() == 2 && tokens[0].kind == Token::Kind::kOp &&
                      tokens[0].text == "-" && tokens[1].kind == Token::Kind::kNumber;
      if (tokens.size() == 1 && tokens[0].kind != Token::Kind::kOp) {
        PyExpr expr;
        expr.kind = tokens[0].kind == Token::Kind::kName     ? PyExpr::Kind::kName
                    : tokens[0].kind == Token::Kind::kString ? PyExpr::Kind::kString
                                                             : PyExpr::Kind::kNumber;
        expr.text = tokens[0].text;
        expr.begin = tokens[0].begin;
        expr.end = tokens[0].end;
        *literal = std::move(expr);
      } else if (negative) {
        PyExpr expr;
        expr.kind = PyExpr::Kind::kNumber;
        expr.text = "-" + tokens[1].text;
        expr.begin = tokens[0].begin;
        expr.end = tokens[1].end;
        *literal = std::move(expr);
      }
      return true;
    }
    if (tokens.size() < 3) tokens.push_back(current_);
    if (IsOp("(") || IsOp("[") || IsOp("{")) ++depth;
    if (IsOp(")") || IsOp("]") || IsOp("}")) --depth;
    Advance();
  }
  Fail("unexpected end of the source in a default value");
  return false;
}

bool SignatureParser::ParseParam(PySignature& signature) {
  PyParam param;
  if (IsOp("/") || IsOp("*")) {
    bool star = IsOp("*");
    Advance();
    if (!star || IsOp(",") || IsOp(")")) return true;  // a `/` or `*` marker
    param.is_variadic = true;
  } else if (IsOp("**")) {
    Advance();
    param.is_variadic = true;
  }
  if (current_.kind != Token::Kind::kName) {
    Fail("expected a parameter name");
    return false;
  }
  param.name = current_.text;
  param.begin = current_.begin;
  param.end = current_.end;
  Advance();
  if (IsOp(":")) {
    Advance();
    param.annotation = ParseExpr();
    if (!param.annotation) return false;
  }
  if (IsOp("=")) {
    Advance();
    param.has_default = true;
    if (!SkipDefault(&param.literal_default)) return false;
  }
  signature.params.push_back(std::move(param));
  return true;
}

PyScanResult SignatureParser::Parse() {
  PySignature signature;
  Advance();  // `def`
  if (current_.kind != Token::Kind::kName) {
    Fail("expected the function name after `def`");
    return {std::nullopt, error_};
  }
  signature.name = current_.text;
  signature.name_begin = current_.begin;
  signature.name_end = current_.end;
  Advance();
  if (!Expect("(", "after the function name")) return {std::nullopt, error_};
  while (!IsOp(")")) {
    if (!ParseParam(signature)) return {std::nullopt, error_};
    if (!IsOp(",")) break;
    Advance();
  }
  if (!Expect(")", "to close the parameters")) return {std::nullopt, error_};
  if (IsOp("->")) {
    Advance();
    signature.returns = ParseExpr();
    if (!signature.returns) return {std::nullopt, error_};
  }
  if (!Expect(":", "at the end of the signature")) return {std::nullopt, error_};
  return {std::move(signature), {}};
}

}  // namespace

PyScanResult ScanPythonSignature(std::string_view source, std::string_view function_name) {
  std::optional<size_t> def = FindDef(source, function_name);
  if (!def) return {std::nullopt, {"no function definition found", 0, 0}};
  return SignatureParser(source, *def).Parse();
}

}  // namespace kfpc::check
