#pragma once

// The syntax tree of one `.kf` file. The parse phase builds it straight from the tokens, or, for a
// file with syntax errors, from ANTLR's parse tree, which it then drops; every later phase reads
// only these nodes. Nodes carry the byte spans that
// diagnostics and the language server point at. Nothing here is resolved: names are strings.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/diagnostics/source_manager.h"

namespace kfpc::ast {

using diag::Span;

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// `string`, `int`, `list<T>`, `dict<string, T>`, `Dataset`, `MyArtifact`, `T?`.
struct TypeRef {
  Span span;
  std::string name;
  Span name_span;
  std::vector<TypeRef> args;
  bool optional = false;  // written with a trailing `?`
};

// One piece of a string literal: literal text, or an interpolated `{a.b}` reference.
struct StringPart {
  bool is_interpolation = false;
  std::string text;  // decoded literal text, or the dotted path as written ("task.output")
  Span span;         // the text or the whole `{...}`
  std::vector<std::string> path;  // for interpolations: the path split at dots
  std::vector<Span> path_spans;
};

struct Argument {
  Span span;
  std::string name;  // empty for a positional argument
  Span name_span;
  ExprPtr value;
};

enum class ExprKind {
  kString,     // "..." with optional interpolation parts
  kRawString,  // """..."""
  kInt,
  kFloat,
  kBool,
  kNone,
  kList,    // [items...]
  kMap,     // {keys[i]: items[i]}
  kName,    // text
  kMember,  // object.text
  kCall,    // text(args): concat(...), if_present(...); task calls are statements
  kUnary,   // text = "not" or "-", object
  kBinary,  // object text rhs; text is the operator: == != < <= > >= and or
};

struct Expr {
  ExprKind kind = ExprKind::kNone;
  Span span;
  std::string text;        // string value, raw string value, name, member name, callee, operator
  std::string literal;     // numbers as written in the source ("0.001", "1e-3")
  Span text_span;          // span of the name, member name, callee or operator
  int64_t int_value = 0;
  // kInt: the literal is outside int64 and the parser reported it, so int_value is clamped and
  // later checks skip the value.
  bool out_of_range = false;
  double float_value = 0;
  bool bool_value = false;
  std::vector<StringPart> parts;  // kString: the literal split into text and interpolations
  std::vector<ExprPtr> items;     // kList items; kMap values
  std::vector<ExprPtr> keys;      // kMap keys
  std::vector<Argument> args;     // kCall
  ExprPtr object;                 // kMember base, kUnary operand, kBinary left
  ExprPtr rhs;                    // kBinary right
};

// `name = value`, `env NAME = value`, or `name { settings... }`.
struct Setting {
  enum class Form { kAssign, kEnv, kBlock };
  Form form = Form::kAssign;
  Span span;
  std::string name;  // for kEnv the variable name
  Span name_span;
  ExprPtr value;                  // kAssign, kEnv
  std::vector<Setting> children;  // kBlock
};

struct Stmt;

// `binding = callee(args) { settings }` or `callee(args)`.
struct TaskCall {
  std::string binding;  // empty when the task is not bound
  Span binding_span;
  std::string callee;
  Span callee_span;
  Span args_span;  // from `(` to `)`
  std::vector<Argument> args;
  std::vector<Setting> settings;
  bool has_block = false;
};

struct Branch {
  Span span;
  Span keyword_span;  // `if`, `else if` or `else`
  ExprPtr condition;  // null for `else`
  std::vector<Stmt> body;
};

enum class StmtKind {
  kTask,     // task
  kSetting,  // a pipeline-level setting such as `description = "..."`
  kReturn,   // return [output_name =] value
  kIf,       // branches
  kFor,      // for loop_variable in iterable [parallelism = N] { body }
  kTry,      // try { body } finally { finally_body }: the one task in finally_body is the exit
             // task, and runs when body finishes, whatever its outcome
};

struct Stmt {
  StmtKind kind = StmtKind::kTask;
  Span span;
  TaskCall task;                 // kTask
  Setting setting;               // kSetting
  std::string output_name;       // kReturn; empty for `return value`
  Span output_name_span;
  ExprPtr value;                 // kReturn value; kFor iterable
  std::vector<Branch> branches;  // kIf
  std::string loop_variable;     // kFor
  Span loop_variable_span;
  ExprPtr parallelism;           // kFor, may be null
  std::vector<Stmt> body;        // kFor, kTry
  std::vector<Stmt> finally_body;  // kTry
  Span finally_span;               // kTry: the `finally` keyword
  std::string handler_name;        // kTry: `try "name" { ... }`, the exit handler's display name
  Span handler_name_span;
  bool handler_name_interpolates = false;  // kTry: the name has a `{...}` interpolation
};

// An input or an output of a component or pipeline.
struct Param {
  Span span;
  std::string name;
  Span name_span;
  TypeRef type;
  ExprPtr default_value;  // null when absent
  std::string doc;        // from `///` comments before the parameter
};

enum class DeclKind { kImport, kArtifact, kComponent, kPipeline };

struct Decl {
  DeclKind kind = DeclKind::kComponent;
  Span span;
  std::string name;  // empty for imports
  Span name_span;
  std::string doc;  // from `///` comments before the declaration

  // kImport
  std::string import_path;  // decoded string
  Span import_path_span;

  // kComponent, kPipeline
  std::vector<Param> inputs;
  std::vector<Param> outputs;
  bool single_output = false;  // `-> Type` rather than `-> (name: Type, ...)`

  // kArtifact, kComponent: body settings. kPipeline: settings appear as kSetting statements.
  std::vector<Setting> settings;
  // kPipeline
  std::vector<Stmt> body;
};

struct File {
  diag::FileId id = diag::kNoFile;
  std::vector<Decl> decls;
};

}  // namespace kfpc::ast
