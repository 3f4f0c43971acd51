#pragma once

#include <optional>
#include <string>

#include "ParserRuleContext.h"
#include "Token.h"
#include "compiler/diagnostics/diagnostic.h"
#include "misc/IntervalSet.h"

namespace kfpc::parse {

// The words of one syntax error; the caller adds the span.
struct SyntaxMessage {
  std::string message;
  std::string help;
  // The opening bracket of the construct the error is in, when the file ended before it closed.
  const antlr4::Token* unclosed = nullptr;
};

// `expected` tokens did not come in `ctx`; `found` came instead. `missing` is set when the parser
// recovers by assuming the expected token, so `found` is fine where it is. `after_previous` is set
// when the error is reported right after the token before `found`, where the fix goes.
SyntaxMessage ExpectedMessage(antlr4::ParserRuleContext* ctx, const antlr4::Token* found,
                              const antlr4::misc::IntervalSet& expected, bool missing,
                              bool after_previous = false);

// `found` does not fit in `ctx`, either by itself or, when `after` is set, after that token.
// `after_previous` is as for ExpectedMessage.
SyntaxMessage UnexpectedMessage(antlr4::ParserRuleContext* ctx, const antlr4::Token* found,
                                const antlr4::Token* after, bool after_previous = false);

// The closing token of the innermost bracketed list around `ctx` (arguments, inputs, a list
// literal...) that lies within the current statement or setting, or 0 when there is none.
size_t EnclosingCloser(antlr4::ParserRuleContext* ctx);

// How a token is named in messages: "`)`", "`train`", "a string", "the end of the file".
std::string DescribeToken(const antlr4::Token* token);

}  // namespace kfpc::parse
