#include "compiler/parse/literal.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "KfLexer.h"
#include "compiler/parse/string_literal.h"

namespace kfpc::parse {

using grammar::KfLexer;

namespace {

// `expr->literal` holds the number as written.
ast::ExprPtr BuildNumber(bool is_int, ast::ExprPtr expr, diag::DiagnosticSink& sink) {
  const char* begin = expr->literal.data();
  const char* end = begin + expr->literal.size();
  std::from_chars_result parsed = is_int ? std::from_chars(begin, end, expr->int_value)
                                         : std::from_chars(begin, end, expr->float_value);
  expr->kind = is_int ? ast::ExprKind::kInt : ast::ExprKind::kFloat;
  if (parsed.ec == std::errc() && parsed.ptr == end && std::isfinite(expr->float_value))
    return expr;
  if (is_int && parsed.ec == std::errc::result_out_of_range) {
    // The tree stays whole, so the checker still reports the other errors of the declaration.
    // The message gives the 2^53 limit of every integer constant, since the IR stores doubles.
    expr->int_value = expr->literal[0] == '-' ? std::numeric_limits<int64_t>::min()
                                              : std::numeric_limits<int64_t>::max();
    expr->out_of_range = true;
    sink.Report(diag::Kind::kInvalidValue, expr->span,
                fmt::format("integer `{}` is outside the range -2^53 to 2^53 that the IR stores "
                            "exactly",
                            expr->literal))
        .help = "KFP stores numbers as 64-bit floating point, which represents integers exactly "
                "only up to 2^53 (9007199254740992); pass a larger value as a `string`";
    return expr;
  }
  // from_chars reports underflow as out of range too; strtod distinguishes it by returning a value
  // near zero rather than infinity.
  if (!is_int && parsed.ec == std::errc::result_out_of_range &&
      std::fabs(std::strtod(expr->literal.c_str(), nullptr)) < 1.0) {
    sink.Report(diag::Kind::kInvalidNumber, expr->span,
                fmt::format("float `{}` is too close to zero to represent", expr->literal))
        .help = "the smallest nonzero float is about 4.9e-324; write `0.0` if zero is meant";
    return nullptr;
  }
  diag::Diagnostic& d = sink.Report(
      diag::Kind::kInvalidNumber, expr->span,
      fmt::format("{} `{}` is out of range", is_int ? "integer" : "float", expr->literal));
  d.help = is_int ? "an integer must be between -9223372036854775808 and 9223372036854775807"
                  : "a float must be between about -1.8e308 and 1.8e308";
  return nullptr;
}

}  // namespace

ast::ExprPtr BuildLiteral(size_t token_type, diag::Span span, std::string_view file_text,
                          diag::DiagnosticSink& sink) {
  auto Text = [file_text](diag::Span s) { return file_text.substr(s.begin, s.end - s.begin); };
  auto expr = std::make_unique<ast::Expr>();
  expr->span = expr->text_span = span;
  std::string_view text = Text(expr->span);
  diag::Span content = expr->span;
  switch (token_type) {
    case KfLexer::STRING:
    case KfLexer::UNTERMINATED_STRING: {
      bool closed = token_type == KfLexer::STRING;
      content.begin += 1;
      content.end -= closed ? 1 : 0;
      DecodedString decoded = DecodeString(Text(content), content, sink);
      expr->kind = ast::ExprKind::kString;
      expr->text = std::move(decoded.value);
      expr->parts = std::move(decoded.parts);
      return expr;
    }
    case KfLexer::RAW_STRING:
    case KfLexer::UNTERMINATED_RAW_STRING: {
      // The delimiters are `"""` or, in the hashed form, `#"""` and `"""#`.
      uint32_t delimiter = text.starts_with('#') ? 4 : 3;
      content.begin += delimiter;
      if (token_type == KfLexer::RAW_STRING) content.end -= delimiter;
      expr->kind = ast::ExprKind::kRawString;
      expr->text = DecodeRawString(Text(content), &content);
      // The source bytes rather than the value, whose line breaks may be shorter.
      CheckRawStringPlaceholders(Text(content), content, sink);
      ast::StringPart& part = expr->parts.emplace_back();
      part.text = expr->text;
      part.span = content;
      return expr;
    }
    case KfLexer::INT:
    case KfLexer::FLOAT:
      expr->literal = std::string(text);
      return BuildNumber(token_type == KfLexer::INT, std::move(expr), sink);
    case KfLexer::TRUE:
    case KfLexer::FALSE:
      expr->kind = ast::ExprKind::kBool;
      expr->bool_value = token_type == KfLexer::TRUE;
      expr->text = std::string(text);
      return expr;
    case KfLexer::NONE:
      expr->kind = ast::ExprKind::kNone;
      expr->text = std::string(text);
      return expr;
    default:  // BAD_NUMBER and SINGLE_QUOTED_STRING: already reported
      return nullptr;
  }
}

}  // namespace kfpc::parse
