#include "compiler/parse/syntax_messages.h"

#include <fmt/format.h>

#include "CommonTokenStream.h"
#include "KfLexer.h"
#include "KfParser.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/source_stream.h"

namespace kfpc::parse {

namespace {

using antlr4::ParserRuleContext;
using antlr4::misc::IntervalSet;
using grammar::KfLexer;
using grammar::KfParser;

IntervalSet Of(std::initializer_list<size_t> tokens) {
  IntervalSet set;
  for (size_t token : tokens) set.add(static_cast<ssize_t>(token));
  return set;
}

const IntervalSet kNames = Of({KfLexer::ID, KfLexer::ENV, KfLexer::PARALLELISM});
const IntervalSet kExprStart =
    Of({KfLexer::STRING, KfLexer::RAW_STRING, KfLexer::INT, KfLexer::FLOAT, KfLexer::TRUE,
        KfLexer::FALSE, KfLexer::NONE, KfLexer::UNTERMINATED_STRING,
        KfLexer::UNTERMINATED_RAW_STRING, KfLexer::SINGLE_QUOTED_STRING, KfLexer::BAD_NUMBER,
        KfLexer::LBRACK, KfLexer::LBRACE, KfLexer::LPAREN, KfLexer::MINUS, KfLexer::NOT,
        KfLexer::ELSE})
        .Or(kNames);
// Tokens that continue an expression or a type: left out when anything else would fit.
const IntervalSet kOperators =
    Of({KfLexer::DOT, KfLexer::EQ, KfLexer::NE, KfLexer::LT, KfLexer::LE, KfLexer::GT, KfLexer::GE,
        KfLexer::AND, KfLexer::OR, KfLexer::LPAREN, KfLexer::QUESTION});
const IntervalSet kDeclStart =
    Of({KfLexer::IMPORT, KfLexer::ARTIFACT, KfLexer::COMPONENT, KfLexer::PIPELINE});
const IntervalSet kStmtKeywords = Of({KfLexer::RETURN, KfLexer::IF, KfLexer::FOR, KfLexer::TRY});
const IntervalSet kStrings = Of({KfLexer::STRING, KfLexer::RAW_STRING, KfLexer::UNTERMINATED_STRING,
                                 KfLexer::UNTERMINATED_RAW_STRING, KfLexer::SINGLE_QUOTED_STRING});
const IntervalSet kBrackets = Of({KfLexer::RPAREN, KfLexer::RBRACK, KfLexer::RBRACE});
// Tokens that end a construct; `>` ends the type arguments of `list<T>`.
const IntervalSet kClosers = kBrackets.Or(Of({KfLexer::GT}));

// The token names of the grammar, which ANTLR keeps only in a lexer or parser instance. The
// parser's are those of KfLexer.g4 (its tokenVocab), and kfpc links no generated lexer.
const antlr4::dfa::Vocabulary& Vocabulary() {
  static SourceStream input("");
  static Lexer lexer(input);
  static antlr4::CommonTokenStream tokens(&lexer);
  static KfParser parser(&tokens);
  return parser.getVocabulary();
}

// "`(`" for punctuation and keywords, a phrase for the other kinds of token.
std::string TokenTypeName(size_t type) {
  switch (type) {
    case antlr4::Token::EOF:
      return "the end of the file";
    case KfLexer::ID:
      return "a name";
    case KfLexer::STRING:
    case KfLexer::RAW_STRING:
      return "a string";
    case KfLexer::INT:
    case KfLexer::FLOAT:
      return "a number";
    default: {
      std::string literal = Vocabulary().getLiteralName(type);
      if (literal.size() >= 2) return fmt::format("`{}`", literal.substr(1, literal.size() - 2));
      return Vocabulary().getDisplayName(type);
    }
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

// The lexer grammar lists the reserved words first, from `import` to `not`.
bool IsKeyword(size_t type) { return type >= KfLexer::IMPORT && type <= KfLexer::NOT; }

// The first name inside `ctx` (a declaration's or task's name, a callee), or "" if none.
std::string FirstName(ParserRuleContext* ctx) {
  auto* name = ctx == nullptr ? nullptr : ctx->getRuleContext<KfParser::IdentifierContext>(0);
  if (name == nullptr || name->start->getTokenIndex() == INVALID_INDEX) return "";
  return name->getText();
}

ParserRuleContext* Parent(ParserRuleContext* ctx) {
  return static_cast<ParserRuleContext*>(ctx->parent);
}

size_t StartType(ParserRuleContext* ctx) { return ctx->start->getType(); }

// A bracketed, comma-separated construct: its closing token, what its elements are called
// and where its end is.
struct ListKind {
  size_t closer;
  std::string elements;
  std::string end;
};

std::optional<ListKind> ListKindOf(ParserRuleContext* ctx) {
  std::string owner = ctx->parent == nullptr ? "" : FirstName(Parent(ctx));
  switch (ctx->getRuleIndex()) {
    case KfParser::RuleArguments:
      return ListKind{KfLexer::RPAREN, "arguments",
                      fmt::format("after the arguments of `{}`", owner)};
    case KfParser::RuleParamList:
      return ListKind{KfLexer::RPAREN, "inputs", fmt::format("after the inputs of `{}`", owner)};
    case KfParser::RuleOutputs:
      return ListKind{KfLexer::RPAREN, "outputs", fmt::format("after the outputs of `{}`", owner)};
    case KfParser::RuleTypeRef:
      return ListKind{KfLexer::GT, "type arguments",
                      fmt::format("after the type arguments of `{}`", FirstName(ctx))};
    case KfParser::RuleExpr:
      if (dynamic_cast<KfParser::ListExprContext*>(ctx)) {
        return ListKind{KfLexer::RBRACK, "items", "at the end of the list"};
      }
      if (dynamic_cast<KfParser::MapExprContext*>(ctx)) {
        return ListKind{KfLexer::RBRACE, "entries", "at the end of the map"};
      }
      if (dynamic_cast<KfParser::ParenExprContext*>(ctx)) {
        return ListKind{KfLexer::RPAREN, "", "after the expression in parentheses"};
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Names what a `{...}` of settings belongs to.
std::string SettingsOwner(ParserRuleContext* owner) {
  if (owner->getRuleIndex() == KfParser::RuleDecl) {
    return fmt::format("the settings of `{}`", FirstName(owner));
  }
  // A task is `name = callee(...) { ... }` or `callee(...) { ... }`; anything else is `name { ...
  // }`.
  bool is_task = owner->getRuleIndex() == KfParser::RuleStmt &&
                 (owner->getToken(KfLexer::ASSIGN, 0) != nullptr ||
                  owner->getRuleContext<KfParser::ArgumentsContext>(0) != nullptr);
  return is_task ? fmt::format("the settings of task `{}`", FirstName(owner))
                 : fmt::format("the `{}` block", FirstName(owner));
}

// Names what a `{...}` of statements belongs to.
std::string BlockOwner(ParserRuleContext* owner) {
  switch (StartType(owner)) {
    case KfLexer::PIPELINE:
      return fmt::format("the body of `{}`", FirstName(owner));
    case KfLexer::IF:
      return "the `if` block";
    case KfLexer::FOR:
      return "the body of the `for` loop";
    default:
      return "the `try` statement";
  }
}

// Describes where `ctx` is, as in "the arguments of `train`"; empty at the top level.
std::string Place(ParserRuleContext* ctx) {
  for (; ctx != nullptr; ctx = Parent(ctx)) {
    if (ctx->start->getType() != KfLexer::LBRACE &&
        (ctx->getRuleIndex() == KfParser::RuleBlock ||
         ctx->getRuleIndex() == KfParser::RuleSettingsBlock)) {
      continue;  // its `{` is what is missing: describe what it belongs to
    }
    switch (ctx->getRuleIndex()) {
      case KfParser::RuleArguments:
        return fmt::format("the arguments of `{}`", FirstName(Parent(ctx)));
      case KfParser::RuleParamList:
        return fmt::format("the inputs of `{}`", FirstName(Parent(ctx)));
      case KfParser::RuleOutputs:
        return fmt::format("the outputs of `{}`", FirstName(Parent(ctx)));
      case KfParser::RuleSettingsBlock:
        return SettingsOwner(Parent(ctx));
      case KfParser::RuleBlock:
        return BlockOwner(Parent(ctx));
      case KfParser::RuleStmt:
        if (StartType(ctx) == KfLexer::IF) return "the `if` statement";
        if (StartType(ctx) == KfLexer::FOR) return "the `for` loop";
        if (StartType(ctx) == KfLexer::TRY) return "the `try` statement";
        if (StartType(ctx) == KfLexer::RETURN) return "the `return` statement";
        break;
      case KfParser::RuleExpr:
        if (dynamic_cast<KfParser::ListExprContext*>(ctx)) return "the list";
        if (dynamic_cast<KfParser::MapExprContext*>(ctx)) return "the map";
        break;
      case KfParser::RuleDecl:
        if (StartType(ctx) == KfLexer::IMPORT) return "the `import`";
        if (std::string name = FirstName(ctx); !name.empty()) {
          return fmt::format("the declaration of `{}`", name);
        }
        return fmt::format("the {} declaration", TokenTypeName(StartType(ctx)));
      default:
        break;
    }
  }
  return "";
}

// The innermost comma-separated construct around `ctx`, stopping at statements and settings.
ParserRuleContext* EnclosingList(ParserRuleContext* ctx, ListKind* kind) {
  for (; ctx != nullptr; ctx = Parent(ctx)) {
    size_t rule = ctx->getRuleIndex();
    if (rule == KfParser::RuleStmt || rule == KfParser::RuleSetting || rule == KfParser::RuleDecl) {
      return nullptr;
    }
    if (auto found = ListKindOf(ctx)) {
      *kind = *found;
      return ctx;
    }
  }
  return nullptr;
}

// Names the expression expected in `ctx`: "an argument", "a value for `image`".
std::string ExpressionPhrase(ParserRuleContext* ctx) {
  if (ctx == nullptr) return "an expression";
  if (ctx->getRuleIndex() == KfParser::RuleArguments) return "an argument";
  ParserRuleContext* parent = Parent(ctx);
  bool is_value =
      ctx->getRuleIndex() == KfParser::RuleExpr && parent != nullptr &&
      (parent->getRuleIndex() == KfParser::RuleSetting ||
       (parent->getRuleIndex() == KfParser::RuleStmt && StartType(parent) != KfLexer::RETURN)) &&
      parent->getToken(KfLexer::ASSIGN, 0) != nullptr;
  std::string name = is_value ? FirstName(parent) : "";
  return name.empty() ? "an expression" : fmt::format("a value for `{}`", name);
}

// Names the expected tokens, grouping those that start a declaration, a statement, an
// expression or a name.
std::string DescribeExpected(IntervalSet expected, ParserRuleContext* ctx) {
  if (expected.size() > 1) expected.remove(static_cast<ssize_t>(antlr4::Token::EOF));
  if (!expected.subtract(kOperators).isEmpty()) expected = expected.subtract(kOperators);
  std::vector<std::string> phrases;
  auto group = [&](const IntervalSet& members, const IntervalSet& remove, std::string phrase) {
    if (expected.And(members).size() != members.size()) return;
    phrases.push_back(std::move(phrase));
    expected = expected.subtract(remove);
  };
  // Where a name is expected, `artifact` is one too, not the start of a declaration.
  if (expected.contains(static_cast<ssize_t>(KfLexer::ID))) {
    expected.remove(static_cast<ssize_t>(KfLexer::ARTIFACT));
  }
  group(kDeclStart, kDeclStart, "a declaration");
  group(kStmtKeywords, kStmtKeywords.Or(kNames), "a statement");
  size_t rule = ctx == nullptr ? size_t{KfParser::RuleFile} : ctx->getRuleIndex();
  group(Of({KfLexer::STRING, KfLexer::LBRACK, KfLexer::NOT}), kExprStart, ExpressionPhrase(ctx));
  std::string name = "a name";
  if (rule == KfParser::RuleSettingsBlock || rule == KfParser::RuleSetting) name = "a setting";
  if (rule == KfParser::RuleParamList) name = "an input";
  if (rule == KfParser::RuleOutputs) name = "an output";
  group(kNames, kNames, name);
  group(Of({KfLexer::STRING}), kStrings, "a string");
  // Brackets last: "`=` or `{`", "a statement or `}`".
  IntervalSet last = expected.And(kClosers.Or(Of({KfLexer::LBRACE})));
  for (ssize_t type : expected.subtract(last).toList()) phrases.push_back(TokenTypeName(type));
  for (ssize_t type : last.toList()) phrases.push_back(TokenTypeName(type));
  return JoinAlternatives(phrases);
}

// The opening bracket of the innermost bracketed construct around `ctx`.
const antlr4::Token* InnermostOpener(ParserRuleContext* ctx) {
  for (; ctx != nullptr; ctx = Parent(ctx)) {
    size_t rule = ctx->getRuleIndex();
    if (rule == KfParser::RuleBlock || rule == KfParser::RuleSettingsBlock ||
        rule == KfParser::RuleArguments || rule == KfParser::RuleParamList ||
        (rule == KfParser::RuleExpr && ListKindOf(ctx))) {
      return ctx->start;
    }
  }
  return nullptr;
}

std::string In(const std::string& place) { return place.empty() ? "" : " in " + place; }

// A remedy for the usual slips.
std::string Help(ParserRuleContext* ctx, const antlr4::Token* found, const IntervalSet& expected) {
  size_t type = found->getType();
  size_t rule = ctx == nullptr ? size_t{KfParser::RuleFile} : ctx->getRuleIndex();
  if (IsKeyword(type) && expected.contains(size_t{KfLexer::ID})) {
    return fmt::format("`{}` is a keyword; choose another name", found->getText());
  }
  if (type == KfLexer::COLON &&
      (rule == KfParser::RuleSettingsBlock || rule == KfParser::RuleSetting ||
       rule == KfParser::RuleBlock || rule == KfParser::RuleStmt)) {
    return "write a setting as `name = value`";
  }
  if (type == KfLexer::COMMA &&
      (rule == KfParser::RuleSettingsBlock || rule == KfParser::RuleSetting)) {
    return "remove the `,`, because settings in a block are separated by white space";
  }
  if (type == KfLexer::COMMA && (rule == KfParser::RuleBlock || rule == KfParser::RuleStmt)) {
    return "remove the `,`, because statements are separated by white space";
  }
  if (type == KfLexer::COLON && rule == KfParser::RuleArguments) {
    return "pass an argument as `name = value`";
  }
  if (type == KfLexer::ASSIGN && expected.contains(size_t{KfLexer::COLON})) {
    if (rule == KfParser::RuleMapEntry || rule == KfParser::RuleExpr) {
      return "write a map entry as `key: value`";
    }
    return "write an input as `name: type` or `name: type = default`";
  }
  if (type == KfLexer::ASSIGN && (rule == KfParser::RuleOutputs || rule == KfParser::RuleOutput)) {
    return "outputs cannot have a default value";
  }
  if (type == KfLexer::ASSIGN && expected.contains(size_t{KfLexer::LBRACE})) {
    return "compare with `==`";
  }
  if (rule == KfParser::RuleFile) {
    return "a file contains `import`, `artifact`, `component` and `pipeline` declarations";
  }
  return "";
}

// The help of an expected-token error that has no more specific one: what to write at the error.
std::string FallbackHelp(ParserRuleContext* ctx, const antlr4::Token* found,
                         const IntervalSet& expected, bool missing) {
  std::string wanted = DescribeExpected(expected, ctx);
  if (expected.contains(size_t{KfLexer::STRING}) && expected.contains(size_t{KfLexer::LBRACK}) &&
      expected.contains(size_t{KfLexer::NOT})) {
    return fmt::format("write {} here: a string such as `\"text\"`, a number, an input or a task "
                       "output such as `t.output`",
                       wanted);
  }
  if (missing) return fmt::format("insert {} here", wanted);  // or at the end of the line
  if (found->getType() == antlr4::Token::EOF) return fmt::format("add {} at the end", wanted);
  return fmt::format("write {} here, or remove {}", wanted, DescribeToken(found));
}

}  // namespace

std::string DescribeToken(const antlr4::Token* token) {
  size_t type = token->getType();
  if (type == KfLexer::ID || type == KfLexer::INT || type == KfLexer::FLOAT) {
    return fmt::format("`{}`", token->getText());
  }
  return TokenTypeName(type);
}

SyntaxMessage ExpectedMessage(ParserRuleContext* ctx, const antlr4::Token* found,
                              const IntervalSet& expected, bool missing, bool after_previous) {
  SyntaxMessage result;
  result.help = Help(ctx, found, expected);
  ListKind list;
  IntervalSet closers = expected.And(kClosers);
  bool in_list = EnclosingList(ctx, &list) != nullptr && expected.contains(list.closer);
  if (kDeclStart.contains(found->getType()) && !closers.isEmpty()) {
    // `component c() { image = "i"` and then `pipeline p() ...`: the block was never closed.
    std::string end = in_list ? list.end : "at the end of " + Place(ctx);
    result.message = fmt::format("expected {} {}, found {}",
                                 TokenTypeName(in_list ? list.closer : closers.getMinElement()),
                                 end, DescribeToken(found));
    result.help.clear();
    result.unclosed = InnermostOpener(ctx);
    return result;
  }
  if (in_list && (expected.contains(size_t{KfLexer::COMMA}) || list.elements.empty())) {
    // `f(a = 1 b = 2)`: the closer or a comma is missing; name the closer, hint at the comma.
    result.message = fmt::format("expected {} {}", TokenTypeName(list.closer), list.end);
    bool starts_element = kNames.Or(kStrings).contains(found->getType()) ||
                          found->getType() == KfLexer::INT || found->getType() == KfLexer::FLOAT;
    if (!list.elements.empty() && starts_element && result.help.empty()) {
      result.help = fmt::format("separate the {} with `,`", list.elements);
    }
  } else {
    result.message = fmt::format("expected {}{}", DescribeExpected(expected, ctx), In(Place(ctx)));
  }
  if (!missing) result.message += fmt::format(", found {}", DescribeToken(found));
  if (found->getType() == antlr4::Token::EOF) result.unclosed = InnermostOpener(ctx);
  if (result.help.empty()) {
    result.help = FallbackHelp(ctx, found, expected, missing || after_previous);
  }
  return result;
}

size_t EnclosingCloser(ParserRuleContext* ctx) {
  ListKind list;
  return EnclosingList(ctx, &list) != nullptr ? list.closer : 0;
}

SyntaxMessage UnexpectedMessage(ParserRuleContext* ctx, const antlr4::Token* found,
                                const antlr4::Token* after, bool after_previous) {
  ListKind list;
  if (kBrackets.contains(found->getType()) && EnclosingList(ctx, &list) != nullptr &&
      list.closer != found->getType()) {
    // `[1, 2 }`: the list is not closed.
    SyntaxMessage result =
        ExpectedMessage(ctx, found, Of({list.closer, KfLexer::COMMA}), false, after_previous);
    result.unclosed = InnermostOpener(ctx);
    return result;
  }
  SyntaxMessage result;
  std::string where = In(Place(ctx));
  if (after != nullptr) where = fmt::format(" after {}{}", DescribeToken(after), where);
  size_t rule = ctx == nullptr ? size_t{KfParser::RuleFile} : ctx->getRuleIndex();
  bool in_settings = rule == KfParser::RuleSettingsBlock || rule == KfParser::RuleSetting;
  bool in_block = rule == KfParser::RuleBlock || rule == KfParser::RuleStmt;
  if (after != nullptr && kNames.contains(after->getType()) && (in_settings || in_block)) {
    // A statement or setting that starts with a name goes on with `=`, `{` or, for a task, `(`.
    result.message =
        fmt::format("expected {}{}, found {}", in_block ? "`=`, `(` or `{`" : "`=` or `{`", where,
                    DescribeToken(found));
    result.help = Help(ctx, found, Of({KfLexer::ASSIGN, KfLexer::LBRACE}));
    // Python's and Ruby's spellings of another branch.
    std::string word = after->getText();
    if (in_block && (word == "elif" || word == "elsif" || word == "elseif")) {
      result.help = "write `else if` for another branch of an `if`";
    }
    // A pipeline is a graph that runs once; only `for` repeats, over a list known when it starts.
    if (in_block && word == "while") {
      result.help =
          "kfpc has no `while` loop; write `for item in list { ... }` to run a body once "
          "for each item of a list";
    }
    if (result.help.empty()) {
      result.help = in_block
                        ? "write a task as `name = component(...)`, or a setting as `name = value`"
                        : "write a setting as `name = value`";
    }
    return result;
  }
  if (found->getType() == antlr4::Token::EOF) {
    result.message = fmt::format("unexpected end of file{}", where);
    result.unclosed = InnermostOpener(ctx);
    return result;
  }
  // "unexpected string", not "unexpected a string".
  std::string described = DescribeToken(found);
  for (std::string_view article : {"a ", "an "}) {
    if (described.rfind(article, 0) == 0) described.erase(0, article.size());
  }
  result.message = fmt::format("unexpected {}{}", described, where);
  result.help = Help(ctx, found, {});
  if (kBrackets.contains(found->getType()) && after == nullptr) {
    result.help = fmt::format("remove this unmatched {}", DescribeToken(found));
  }
  if (result.help.empty() && in_settings) result.help = "write a setting as `name = value`";
  if (result.help.empty() && in_block) {
    result.help = "write a task as `name = component(...)`, or a setting as `name = value`";
  }
  return result;
}

}  // namespace kfpc::parse
