#include "compiler/parse/direct_parser.h"

#include <algorithm>
#include <utility>

#include "KfLexer.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/parse/doc_comment.h"
#include "compiler/parse/literal.h"

// Each function parses one rule of grammar/KfParser.g4 at pos_ and leaves pos_ after its last
// token. A node's span runs from the first to the last token of its rule, as SpanMap::Of gives
// for a rule context, so a parenthesized operand widens its parent's span but not its own.

namespace kfpc::parse {
namespace {

using grammar::KfLexer;

// Thrown where the generated parser must take over; caught in ParseDirectly.
struct GiveUp {};

// Precedences of the expression operators, as ANTLR numbers them for the left-recursive `expr`
// rule. An operator applies when its precedence is at least the minimum the caller passes. A
// binary operator parses its right operand with a minimum one higher, so it groups from the left.
constexpr int kMemberPrecedence = 12;
constexpr int kNegOperand = 11;
constexpr int kComparePrecedence = 10;
constexpr int kNotOperand = 9;
constexpr int kAndPrecedence = 8;
constexpr int kOrPrecedence = 7;

bool IsIdentifier(size_t type) {
  return type == KfLexer::ID || type == KfLexer::ENV || type == KfLexer::PARALLELISM;
}
bool IsAnyName(size_t type) { return IsIdentifier(type) || type == KfLexer::ARTIFACT; }
bool IsComparison(size_t type) {
  return type == KfLexer::EQ || type == KfLexer::NE || type == KfLexer::LT || type == KfLexer::LE ||
         type == KfLexer::GT || type == KfLexer::GE;
}

// An expression and the index of its first token, which a parenthesized expression's own span
// does not include.
struct Parsed {
  ast::ExprPtr expr;
  size_t first = 0;
  bool is_call = false;  // a call, not parenthesized and not an operand
  diag::Span args_span;  // when is_call: from `(` to `)`
};

class DirectParser {
 public:
  DirectParser(const std::vector<antlr4::Token*>& tokens, std::string_view text,
               const SpanMap& spans)
      : all_(tokens), text_(text), spans_(spans) {
    on_channel_.reserve(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i]->getChannel() == antlr4::Token::DEFAULT_CHANNEL) on_channel_.push_back(i);
    }
    if (on_channel_.empty() || Token(on_channel_.size() - 1)->getType() != antlr4::Token::EOF) {
      throw GiveUp{};
    }
  }

  ast::File File() {
    ast::File file;
    file.id = spans_.file();
    while (Type() != antlr4::Token::EOF) file.decls.push_back(Decl());
    return file;
  }

 private:
  antlr4::Token* Token(size_t pos) const { return all_[on_channel_[pos]]; }
  size_t Type(size_t ahead = 0) const {
    size_t pos = std::min(pos_ + ahead, on_channel_.size() - 1);
    return Token(pos)->getType();
  }
  diag::Span SpanOf(size_t pos) const { return spans_.Of(Token(pos)); }
  // From the first token of a rule to the last one consumed.
  diag::Span RuleSpan(size_t first) const {
    return spans_.Between(SpanOf(first), SpanOf(pos_ - 1));
  }
  std::string_view Text(diag::Span span) const {
    return text_.substr(span.begin, span.end - span.begin);
  }
  std::string Doc(size_t pos) const {
    return DocCommentBefore(all_, on_channel_[pos], text_, spans_);
  }

  size_t Expect(size_t type) {
    if (Type() != type) throw GiveUp{};
    return pos_++;
  }
  bool Accept(size_t type) {
    if (Type() != type) return false;
    ++pos_;
    return true;
  }
  // Reads an `identifier` (or, with `any`, an `anyName`) into `name` and `span`.
  void Name(bool any, std::string* name, diag::Span* span) {
    if (!(any ? IsAnyName(Type()) : IsIdentifier(Type()))) throw GiveUp{};
    *span = SpanOf(pos_++);
    *name = std::string(Text(*span));
  }

  // `LPAREN (item (COMMA item)* COMMA?)? RPAREN` and the bracket and brace forms.
  template <typename ParseItem>
  void List(size_t open, size_t close, ParseItem parse_item) {
    Expect(open);
    while (Type() != close) {
      parse_item();
      if (!Accept(KfLexer::COMMA)) break;
    }
    Expect(close);
  }

  ast::Decl Decl() {
    ast::Decl decl;
    size_t first = pos_;
    decl.doc = Doc(first);
    switch (Type()) {
      case KfLexer::IMPORT: {
        ++pos_;
        decl.kind = ast::DeclKind::kImport;
        ast::ExprPtr path = StringLiteral();
        decl.import_path = std::move(path->text);
        decl.import_path_span = path->span;
        break;
      }
      case KfLexer::ARTIFACT:
        ++pos_;
        decl.kind = ast::DeclKind::kArtifact;
        Name(false, &decl.name, &decl.name_span);
        SettingsBlock(&decl.settings);
        break;
      case KfLexer::COMPONENT:
      case KfLexer::PIPELINE: {
        bool component = Type() == KfLexer::COMPONENT;
        ++pos_;
        decl.kind = component ? ast::DeclKind::kComponent : ast::DeclKind::kPipeline;
        Name(false, &decl.name, &decl.name_span);
        List(KfLexer::LPAREN, KfLexer::RPAREN, [&] { decl.inputs.push_back(Param(true)); });
        if (Accept(KfLexer::ARROW)) Outputs(&decl);
        if (component) {
          SettingsBlock(&decl.settings);
        } else {
          Block(&decl.body);
        }
        break;
      }
      default:
        throw GiveUp{};
    }
    decl.span = RuleSpan(first);
    return decl;
  }

  void Outputs(ast::Decl* decl) {
    if (Type() == KfLexer::LPAREN) {
      List(KfLexer::LPAREN, KfLexer::RPAREN, [&] { decl->outputs.push_back(Param(false)); });
      return;
    }
    ast::Param& output = decl->outputs.emplace_back();
    output.name = "Output";
    TypeRef(&output.type);
    output.span = output.name_span = output.type.span;
    decl->single_output = true;
  }

  // `param`, or with `input` false `output`, which takes no default.
  ast::Param Param(bool input) {
    ast::Param param;
    size_t first = pos_;
    param.doc = Doc(first);
    Name(true, &param.name, &param.name_span);
    Expect(KfLexer::COLON);
    TypeRef(&param.type);
    if (input && Accept(KfLexer::ASSIGN)) param.default_value = Expr(0).expr;
    param.span = RuleSpan(first);
    return param;
  }

  void TypeRef(ast::TypeRef* type) {
    size_t first = pos_;
    Name(false, &type->name, &type->name_span);
    if (Type() == KfLexer::LT) {
      List(KfLexer::LT, KfLexer::GT, [&] { TypeRef(&type->args.emplace_back()); });
      if (type->args.empty()) throw GiveUp{};  // `name<>`: the grammar needs one argument
    }
    type->optional = Accept(KfLexer::QUESTION);
    type->span = RuleSpan(first);
  }

  void SettingsBlock(std::vector<ast::Setting>* settings) {
    Expect(KfLexer::LBRACE);
    while (!Accept(KfLexer::RBRACE)) settings->push_back(Setting());
  }

  // `env` is also an identifier: `env = x` and `env { }` are settings named `env`, and only
  // `env NAME` starts an environment variable.
  bool IsEnvSetting() const { return Type() == KfLexer::ENV && IsIdentifier(Type(1)); }

  // ENV name=identifier ASSIGN expr
  void EnvSetting(ast::Setting* setting) {
    ++pos_;
    setting->form = ast::Setting::Form::kEnv;
    Name(false, &setting->name, &setting->name_span);
    Expect(KfLexer::ASSIGN);
    setting->value = Expr(0).expr;
  }

  ast::Setting Setting() {
    ast::Setting setting;
    size_t first = pos_;
    if (IsEnvSetting()) {
      EnvSetting(&setting);
    } else {
      Name(false, &setting.name, &setting.name_span);
      if (Accept(KfLexer::ASSIGN)) {
        setting.form = ast::Setting::Form::kAssign;
        setting.value = Expr(0).expr;
      } else {
        setting.form = ast::Setting::Form::kBlock;
        SettingsBlock(&setting.children);
      }
    }
    setting.span = RuleSpan(first);
    return setting;
  }

  void Block(std::vector<ast::Stmt>* body) {
    Expect(KfLexer::LBRACE);
    while (!Accept(KfLexer::RBRACE)) body->push_back(Stmt());
  }

  ast::Stmt Stmt() {
    ast::Stmt stmt;
    size_t first = pos_;
    switch (Type()) {
      case KfLexer::RETURN:
        ++pos_;
        stmt.kind = ast::StmtKind::kReturn;
        if (IsIdentifier(Type()) && Type(1) == KfLexer::ASSIGN) {
          Name(false, &stmt.output_name, &stmt.output_name_span);
          ++pos_;
        }
        stmt.value = Expr(0).expr;
        break;
      case KfLexer::IF:
        If(&stmt);
        break;
      case KfLexer::FOR:
        ++pos_;
        stmt.kind = ast::StmtKind::kFor;
        Name(false, &stmt.loop_variable, &stmt.loop_variable_span);
        Expect(KfLexer::IN);
        stmt.value = Expr(0).expr;
        if (Accept(KfLexer::PARALLELISM)) {
          Expect(KfLexer::ASSIGN);
          stmt.parallelism = Expr(0).expr;
        }
        Block(&stmt.body);
        break;
      case KfLexer::TRY: {
        ++pos_;
        stmt.kind = ast::StmtKind::kTry;
        if (Type() != KfLexer::LBRACE) {
          ast::ExprPtr name = StringLiteral();
          stmt.handler_name = std::move(name->text);
          stmt.handler_name_span = name->span;
          for (const ast::StringPart& part : name->parts) {
            stmt.handler_name_interpolates |= part.is_interpolation;
          }
        }
        Block(&stmt.body);
        stmt.finally_span = SpanOf(Expect(KfLexer::FINALLY));
        Block(&stmt.finally_body);
        break;
      }
      default:
        NamedStmt(&stmt);
        break;
    }
    stmt.span = RuleSpan(first);
    return stmt;
  }

  // The statements that start with a name: tasks, `env`, and pipeline settings.
  void NamedStmt(ast::Stmt* stmt) {
    stmt->kind = ast::StmtKind::kSetting;
    ast::Setting& setting = stmt->setting;
    size_t first = pos_;
    if (IsEnvSetting()) {
      EnvSetting(&setting);
    } else if (IsIdentifier(Type()) && Type(1) == KfLexer::ASSIGN) {
      std::string name;
      diag::Span name_span;
      Name(false, &name, &name_span);
      ++pos_;
      Parsed value = Expr(0);
      if (value.is_call) {
        stmt->kind = ast::StmtKind::kTask;
        stmt->task.binding = std::move(name);
        stmt->task.binding_span = name_span;
        Task(std::move(*value.expr), value.args_span, &stmt->task);
        return;
      }
      // A block after a value is an error that AstBuilder reports.
      if (Type() == KfLexer::LBRACE) throw GiveUp{};
      setting.form = ast::Setting::Form::kAssign;
      setting.name = std::move(name);
      setting.name_span = name_span;
      setting.value = std::move(value.expr);
    } else if (IsIdentifier(Type()) && Type(1) == KfLexer::LPAREN) {
      stmt->kind = ast::StmtKind::kTask;
      diag::Span args_span;
      ast::ExprPtr call = Call(&args_span);
      Task(std::move(*call), args_span, &stmt->task);
      return;
    } else {
      setting.form = ast::Setting::Form::kBlock;
      Name(false, &setting.name, &setting.name_span);
      SettingsBlock(&setting.children);
    }
    setting.span = RuleSpan(first);
  }

  // A task from its call, then its optional settings block.
  void Task(ast::Expr call, diag::Span args_span, ast::TaskCall* task) {
    task->callee = std::move(call.text);
    task->callee_span = call.text_span;
    task->args = std::move(call.args);
    task->args_span = args_span;
    task->has_block = Type() == KfLexer::LBRACE;
    if (task->has_block) SettingsBlock(&task->settings);
  }

  // IF expr block (ELSE IF expr block)* (ELSE block)?
  void If(ast::Stmt* stmt) {
    stmt->kind = ast::StmtKind::kIf;
    size_t keyword = pos_++;
    diag::Span first = SpanOf(keyword);
    bool has_condition = true;
    while (true) {
      ast::Branch& branch = stmt->branches.emplace_back();
      branch.keyword_span = spans_.Between(first, SpanOf(pos_ - 1));
      if (has_condition) branch.condition = Expr(0).expr;
      Block(&branch.body);
      branch.span = spans_.Between(first, SpanOf(pos_ - 1));
      if (!has_condition || Type() != KfLexer::ELSE) return;
      first = SpanOf(pos_++);
      has_condition = Accept(KfLexer::IF);
    }
  }

  // `stringLiteral` in an import or a `try`.
  ast::ExprPtr StringLiteral() {
    size_t type = Type();
    if (type != KfLexer::STRING && type != KfLexer::RAW_STRING) throw GiveUp{};
    return Literal();
  }

  // A literal token that builds without a diagnostic.
  ast::ExprPtr Literal() {
    diag::DiagnosticSink sink;
    ast::ExprPtr expr = BuildLiteral(Type(), SpanOf(pos_), text_, sink);
    if (expr == nullptr || !sink.diagnostics().empty()) throw GiveUp{};
    ++pos_;
    return expr;
  }

  ast::ExprPtr NewExpr(ast::ExprKind kind, size_t first) const {
    auto expr = std::make_unique<ast::Expr>();
    expr->kind = kind;
    expr->span = RuleSpan(first);
    return expr;
  }

  // `callee=identifier arguments`.
  ast::ExprPtr Call(diag::Span* args_span) {
    size_t first = pos_;
    std::string callee;
    diag::Span callee_span;
    Name(false, &callee, &callee_span);
    size_t open = pos_;
    std::vector<ast::Argument> args;
    List(KfLexer::LPAREN, KfLexer::RPAREN, [&] { args.push_back(Argument()); });
    *args_span = RuleSpan(open);
    ast::ExprPtr call = NewExpr(ast::ExprKind::kCall, first);
    call->text = std::move(callee);
    call->text_span = callee_span;
    call->args = std::move(args);
    return call;
  }

  // (name=argumentName ASSIGN)? expr, where argumentName is anyName or `else`.
  ast::Argument Argument() {
    ast::Argument arg;
    size_t first = pos_;
    if ((IsAnyName(Type()) || Type() == KfLexer::ELSE) && Type(1) == KfLexer::ASSIGN) {
      arg.name_span = SpanOf(pos_);
      arg.name = std::string(Text(arg.name_span));
      pos_ += 2;
    }
    arg.value = Expr(0).expr;
    arg.span = RuleSpan(first);
    return arg;
  }

  // `expr` at `precedence`, by precedence climbing.
  Parsed Expr(int precedence) {
    Parsed result = Primary();
    while (true) {
      size_t type = Type();
      int level = type == KfLexer::DOT   ? kMemberPrecedence
                  : IsComparison(type)   ? kComparePrecedence
                  : type == KfLexer::AND ? kAndPrecedence
                  : type == KfLexer::OR  ? kOrPrecedence
                                         : 0;
      if (level == 0 || level < precedence) return result;
      size_t op = pos_++;
      ast::ExprPtr expr;
      if (type == KfLexer::DOT) {
        std::string name;
        diag::Span name_span;
        Name(true, &name, &name_span);
        expr = NewExpr(ast::ExprKind::kMember, result.first);
        expr->text = std::move(name);
        expr->text_span = name_span;
      } else {
        ast::ExprPtr rhs = Expr(level + 1).expr;
        expr = NewExpr(ast::ExprKind::kBinary, result.first);
        expr->text_span = SpanOf(op);
        expr->text = std::string(Text(expr->text_span));
        expr->rhs = std::move(rhs);
      }
      expr->object = std::move(result.expr);
      result.expr = std::move(expr);
      result.is_call = false;
    }
  }

  Parsed Primary() {
    Parsed result;
    result.first = pos_;
    switch (Type()) {
      case KfLexer::MINUS:
      case KfLexer::NOT: {
        int operand_precedence = Type() == KfLexer::MINUS ? kNegOperand : kNotOperand;
        size_t op = pos_++;
        ast::ExprPtr operand = Expr(operand_precedence).expr;
        result.expr = NewExpr(ast::ExprKind::kUnary, op);
        result.expr->text_span = SpanOf(op);
        result.expr->text = std::string(Text(result.expr->text_span));
        result.expr->object = std::move(operand);
        return result;
      }
      case KfLexer::STRING:
      case KfLexer::RAW_STRING:
      case KfLexer::INT:
      case KfLexer::FLOAT:
      case KfLexer::TRUE:
      case KfLexer::FALSE:
      case KfLexer::NONE:
        result.expr = Literal();
        return result;
      case KfLexer::LBRACK: {
        std::vector<ast::ExprPtr> items;
        List(KfLexer::LBRACK, KfLexer::RBRACK, [&] { items.push_back(Expr(0).expr); });
        result.expr = NewExpr(ast::ExprKind::kList, result.first);
        result.expr->items = std::move(items);
        return result;
      }
      case KfLexer::LBRACE: {
        std::vector<ast::ExprPtr> keys, values;
        List(KfLexer::LBRACE, KfLexer::RBRACE, [&] {
          keys.push_back(Expr(0).expr);
          Expect(KfLexer::COLON);
          values.push_back(Expr(0).expr);
        });
        result.expr = NewExpr(ast::ExprKind::kMap, result.first);
        result.expr->keys = std::move(keys);
        result.expr->items = std::move(values);
        return result;
      }
      case KfLexer::LPAREN: {
        ++pos_;
        result.expr = Expr(0).expr;
        Expect(KfLexer::RPAREN);
        return result;
      }
      default:
        break;
    }
    if (IsIdentifier(Type()) && Type(1) == KfLexer::LPAREN) {
      result.expr = Call(&result.args_span);
      result.is_call = true;
      return result;
    }
    ast::ExprPtr name = std::make_unique<ast::Expr>();
    name->kind = ast::ExprKind::kName;
    Name(true, &name->text, &name->text_span);
    name->span = name->text_span;
    result.expr = std::move(name);
    return result;
  }

  const std::vector<antlr4::Token*>& all_;
  std::string_view text_;
  const SpanMap& spans_;
  std::vector<size_t> on_channel_;  // indexes into all_ of the tokens the grammar reads
  size_t pos_ = 0;                  // index into on_channel_
};

}  // namespace

std::optional<ast::File> ParseDirectly(const std::vector<antlr4::Token*>& tokens,
                                       std::string_view text, const SpanMap& spans) {
  try {
    return DirectParser(tokens, text, spans).File();
  } catch (const GiveUp&) {
    return std::nullopt;
  }
}

}  // namespace kfpc::parse
