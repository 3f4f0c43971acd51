#pragma once

// Finds what a position in a file refers to: the shared first step of hover and go to definition.

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/lsp/analysis.h"

namespace kfpc::lsp {

struct Target {
  enum class Kind {
    kNone,
    kDeclaration,   // a component, pipeline or artifact type, declared or referenced
    kBuiltinType,   // `int`, `Dataset`, ...: a type name with no declaration
    kInput,         // an input of `decl`, declared or referenced
    kOutput,        // an output of `decl`, declared or referenced (`task.output_name`)
    kTask,          // a task binding, bound or referenced
    kLoopVariable,  // the variable of a `for` loop
    kImport,        // the path string of an import
    kKeyword,       // `parallelism` of a `for`, `try` or `finally`, which `name` names
  };
  Kind kind = Kind::kNone;
  diag::Span span;                    // the text under the position
  const ast::Decl* decl = nullptr;    // the declaration; the owner of an input or output; the
                                      // component a task calls (null when it is not declared)
  const ast::Param* param = nullptr;  // kInput, kOutput
  const ast::Stmt* stmt = nullptr;    // kTask: the binding statement; kLoopVariable: the loop
  std::string name;                   // kBuiltinType: the type name; kKeyword: the keyword
  diag::FileId file = diag::kNoFile;  // kImport: the imported file, kNoFile when not loaded
};

// Returns what the byte `offset` of `file` refers to. An offset just after a name still counts
// as on it, so that a cursor at the end of a word finds the word.
Target FindTarget(const Analysis& analysis, diag::FileId file, uint32_t offset);

// A setting name under a position: `cpu_limit` in a task's block, `max` in its `retry` block.
struct SettingTarget {
  bool found = false;
  bool in_task = false;             // in the block of a task, not in the declaration's own settings
  std::vector<std::string> path;    // the names of the enclosing blocks, then the setting's own
  diag::Span span;                  // the setting's name
  const ast::Decl* decl = nullptr;  // the component, artifact type or pipeline
  std::string env_name;             // the variable of `env NAME = value`, with the path `env`
};

// Returns the setting whose name contains `offset`. In `env NAME = value`, `env` and `NAME` are
// the setting `env`.
SettingTarget FindSetting(const Analysis& analysis, diag::FileId file, uint32_t offset);

// Returns the innermost pipeline or component declaration of `file` that contains `offset`.
const ast::Decl* EnclosingDecl(const Analysis& analysis, diag::FileId file, uint32_t offset);

// Returns the statement that binds the task `binding` anywhere in `pipeline`, or null.
const ast::Stmt* FindBinding(const ast::Decl& pipeline, const std::string& binding);

// Returns the parameter named `name` in `params`, or null.
const ast::Param* FindParam(const std::vector<ast::Param>& params, const std::string& name);

}  // namespace kfpc::lsp
