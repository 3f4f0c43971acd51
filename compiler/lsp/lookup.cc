#include "compiler/lsp/lookup.h"

#include <functional>

namespace kfpc::lsp {

namespace {

bool Contains(const diag::Span& span, uint32_t offset) {
  return span.valid() && span.begin <= offset && offset <= span.end;
}

Target Make(Target::Kind kind, diag::Span span, const ast::Decl* decl = nullptr,
            const ast::Param* param = nullptr) {
  Target target;
  target.kind = kind;
  target.span = span;
  target.decl = decl;
  target.param = param;
  return target;
}

// Walks one declaration, narrowing to the node that contains the offset. Names in a pipeline
// resolve to loop variables, then task bindings, then inputs; names in a component's settings
// resolve to its inputs and outputs.
class Finder {
 public:
  Finder(const Analysis& analysis, diag::FileId file, uint32_t offset)
      : analysis_(analysis), file_(file), offset_(offset) {}

  Target Find(const ast::Decl& decl) {
    owner_ = &decl;
    if (decl.kind == ast::DeclKind::kImport) {
      if (Contains(decl.import_path_span, offset_)) {
        result_ = Make(Target::Kind::kImport, decl.import_path_span);
        result_.file = analysis_.ImportedFile(file_, decl);
      }
      return result_;
    }
    if (Contains(decl.name_span, offset_)) {
      result_ = Make(Target::Kind::kDeclaration, decl.name_span, &decl);
      return result_;
    }
    Params(decl.inputs, Target::Kind::kInput);
    Params(decl.outputs, Target::Kind::kOutput);
    for (const ast::Setting& setting : decl.settings) Setting(setting);
    Statements(decl.body);
    return result_;
  }

 private:
  bool Found() const { return result_.kind != Target::Kind::kNone; }

  void Params(const std::vector<ast::Param>& params, Target::Kind kind) {
    for (const ast::Param& param : params) {
      if (Contains(param.name_span, offset_)) {
        result_ = Make(kind, param.name_span, owner_, &param);
      }
      Type(param.type);
      if (param.default_value) Expr(*param.default_value);
    }
  }

  void Type(const ast::TypeRef& type) {
    if (Found()) return;
    if (Contains(type.name_span, offset_)) {
      const ast::Decl* decl = analysis_.FindDecl(type.name);
      if (decl && decl->kind == ast::DeclKind::kArtifact) {
        result_ = Make(Target::Kind::kDeclaration, type.name_span, decl);
      } else {
        result_ = Make(Target::Kind::kBuiltinType, type.name_span);
        result_.name = type.name;
      }
      return;
    }
    for (const ast::TypeRef& arg : type.args) Type(arg);
  }

  void Setting(const ast::Setting& setting) {
    if (setting.value) Expr(*setting.value);
    for (const ast::Setting& child : setting.children) Setting(child);
  }

  void Statements(const std::vector<ast::Stmt>& body) {
    for (const ast::Stmt& stmt : body) {
      if (!Found() && Contains(stmt.span, offset_)) Statement(stmt);
    }
  }

  void Statement(const ast::Stmt& stmt) {
    switch (stmt.kind) {
      case ast::StmtKind::kTask: return Task(stmt);
      case ast::StmtKind::kSetting: return Setting(stmt.setting);
      case ast::StmtKind::kReturn:
        if (Contains(stmt.output_name_span, offset_)) {
          const ast::Param* output = FindParam(owner_->outputs, stmt.output_name);
          if (output) result_ = Make(Target::Kind::kOutput, stmt.output_name_span, owner_, output);
        }
        if (stmt.value) Expr(*stmt.value);
        return;
      case ast::StmtKind::kIf:
        for (const ast::Branch& branch : stmt.branches) {
          if (branch.condition) Expr(*branch.condition);
          Statements(branch.body);
        }
        return;
      case ast::StmtKind::kFor:
        if (Contains(stmt.loop_variable_span, offset_)) {
          result_ = Make(Target::Kind::kLoopVariable, stmt.loop_variable_span);
          result_.stmt = &stmt;
          return;
        }
        if (stmt.value && stmt.parallelism) {
          // `parallelism` has no span of its own: it is the word between the two expressions.
          Keyword("parallelism", stmt.value->span.end, stmt.parallelism->span.begin);
        }
        if (Found()) return;
        if (stmt.value) Expr(*stmt.value);
        if (stmt.parallelism) Expr(*stmt.parallelism);
        loops_.push_back(&stmt);
        Statements(stmt.body);
        loops_.pop_back();
        return;
      case ast::StmtKind::kTry:
        Keyword("try", stmt.span.begin, stmt.span.begin + 3);
        if (stmt.finally_span.valid()) {
          Keyword("finally", stmt.finally_span.begin, stmt.finally_span.end);
        }
        if (Found()) return;
        Statements(stmt.body);
        Statements(stmt.finally_body);
        return;
    }
  }

  // Finds `word` in the text [begin, end) and makes it the target when it contains the offset.
  void Keyword(std::string_view word, uint32_t begin, uint32_t end) {
    std::string_view text = analysis_.Text(file_);
    if (end > text.size() || begin >= end) return;
    size_t at = text.substr(begin, end - begin).find(word);
    if (at == std::string_view::npos) return;
    diag::Span span{file_, static_cast<uint32_t>(begin + at),
                    static_cast<uint32_t>(begin + at + word.size())};
    if (!Contains(span, offset_)) return;
    result_ = Make(Target::Kind::kKeyword, span);
    result_.name = std::string(word);
  }

  void Task(const ast::Stmt& stmt) {
    const ast::TaskCall& task = stmt.task;
    const ast::Decl* callee = analysis_.FindDecl(task.callee);
    if (Contains(task.binding_span, offset_)) {
      result_ = Make(Target::Kind::kTask, task.binding_span, callee);
      result_.stmt = &stmt;
      return;
    }
    if (Contains(task.callee_span, offset_)) {
      if (callee) result_ = Make(Target::Kind::kDeclaration, task.callee_span, callee);
      return;
    }
    for (const ast::Argument& arg : task.args) {
      if (Contains(arg.name_span, offset_) && callee) {
        const ast::Param* input = FindParam(callee->inputs, arg.name);
        if (input) result_ = Make(Target::Kind::kInput, arg.name_span, callee, input);
        return;
      }
      if (arg.value) Expr(*arg.value);
    }
    for (const ast::Setting& setting : task.settings) Setting(setting);
  }

  void Expr(const ast::Expr& expr) {
    if (Found() || !Contains(expr.span, offset_)) return;
    switch (expr.kind) {
      case ast::ExprKind::kName:
        if (Contains(expr.text_span, offset_)) Name(expr.text, expr.text_span);
        return;
      case ast::ExprKind::kMember:
        if (expr.object && expr.object->kind == ast::ExprKind::kName &&
            Contains(expr.text_span, offset_)) {
          return Member(expr.object->text, expr.text, expr.text_span);
        }
        if (expr.object) Expr(*expr.object);
        return;
      case ast::ExprKind::kString:
        for (const ast::StringPart& part : expr.parts) Interpolation(part);
        return;
      default:
        break;
    }
    for (const auto& item : expr.items) Expr(*item);
    for (const auto& key : expr.keys) Expr(*key);
    for (const ast::Argument& arg : expr.args) {
      if (arg.value) Expr(*arg.value);
    }
    if (expr.object) Expr(*expr.object);
    if (expr.rhs) Expr(*expr.rhs);
  }

  void Interpolation(const ast::StringPart& part) {
    if (!part.is_interpolation) return;
    for (size_t i = 0; i < part.path_spans.size() && i < part.path.size(); ++i) {
      if (!Contains(part.path_spans[i], offset_)) continue;
      if (i == 0) Name(part.path[0], part.path_spans[0]);
      if (i == 1) Member(part.path[0], part.path[1], part.path_spans[1]);
      return;
    }
  }

  void Name(const std::string& name, diag::Span span) {
    for (auto it = loops_.rbegin(); it != loops_.rend(); ++it) {
      if ((*it)->loop_variable == name) {
        result_ = Make(Target::Kind::kLoopVariable, span);
        result_.stmt = *it;
        return;
      }
    }
    if (owner_->kind == ast::DeclKind::kPipeline) {
      if (const ast::Stmt* binding = FindBinding(*owner_, name)) {
        result_ = Make(Target::Kind::kTask, span, analysis_.FindDecl(binding->task.callee));
        result_.stmt = binding;
        return;
      }
    }
    if (const ast::Param* input = FindParam(owner_->inputs, name)) {
      result_ = Make(Target::Kind::kInput, span, owner_, input);
    } else if (const ast::Param* output = FindParam(owner_->outputs, name);
               output && owner_->kind == ast::DeclKind::kComponent) {
      result_ = Make(Target::Kind::kOutput, span, owner_, output);
    }
  }

  void Member(const std::string& object, const std::string& member, diag::Span span) {
    if (owner_->kind != ast::DeclKind::kPipeline) return;
    const ast::Stmt* binding = FindBinding(*owner_, object);
    const ast::Decl* callee = binding ? analysis_.FindDecl(binding->task.callee) : nullptr;
    if (!callee) return;
    const ast::Param* output = FindParam(callee->outputs, member);
    if (!output && member == "output" && callee->outputs.size() == 1) {
      output = &callee->outputs[0];
    }
    if (output) result_ = Make(Target::Kind::kOutput, span, callee, output);
  }

  const Analysis& analysis_;
  diag::FileId file_;
  uint32_t offset_;
  const ast::Decl* owner_ = nullptr;
  std::vector<const ast::Stmt*> loops_;
  Target result_;
};

}  // namespace

Target FindTarget(const Analysis& analysis, diag::FileId file, uint32_t offset) {
  const ast::File* tree = analysis.File(file);
  if (!tree) return {};
  for (const ast::Decl& decl : tree->decls) {
    if (Contains(decl.span, offset)) {
      Target target = Finder(analysis, file, offset).Find(decl);
      if (target.kind != Target::Kind::kNone) return target;
    }
  }
  return {};
}

const ast::Decl* EnclosingDecl(const Analysis& analysis, diag::FileId file, uint32_t offset) {
  const ast::File* tree = analysis.File(file);
  if (!tree) return nullptr;
  for (const ast::Decl& decl : tree->decls) {
    if (decl.kind != ast::DeclKind::kImport && Contains(decl.span, offset)) return &decl;
  }
  return nullptr;
}

namespace {

// Finds the setting name at `offset` in `setting` or in the blocks inside it. `path` holds the
// names of the blocks around `setting`.
bool FindInSetting(const ast::Setting& setting, uint32_t offset, std::vector<std::string>* path,
                   SettingTarget* target) {
  if (!Contains(setting.span, offset)) return false;
  if (setting.form == ast::Setting::Form::kEnv) {
    // `env NAME = value`: the keyword and the variable's name stand for the setting `env`.
    if (setting.value && Contains(setting.value->span, offset)) return false;
    target->found = true;
    target->path = *path;
    target->path.push_back("env");
    target->env_name = setting.name;
    target->span = diag::Span{setting.span.file, setting.span.begin, setting.name_span.end};
    return true;
  }
  path->push_back(setting.name);
  if (Contains(setting.name_span, offset)) {
    target->found = true;
    target->path = *path;
    target->span = setting.name_span;
    return true;
  }
  for (const ast::Setting& child : setting.children) {
    if (FindInSetting(child, offset, path, target)) return true;
  }
  path->pop_back();
  return false;
}

bool FindInSettings(const std::vector<ast::Setting>& settings, uint32_t offset,
                    SettingTarget* target) {
  std::vector<std::string> path;
  for (const ast::Setting& setting : settings) {
    if (FindInSetting(setting, offset, &path, target)) return true;
  }
  return false;
}

// Finds the setting name at `offset` in a pipeline's body. A pipeline setting inside `if`, `for`
// or `try` (not `top_level`) is an error, so it is not found.
bool FindInBody(const std::vector<ast::Stmt>& body, uint32_t offset, bool top_level,
                SettingTarget* target) {
  for (const ast::Stmt& stmt : body) {
    if (!Contains(stmt.span, offset)) continue;
    if (stmt.kind == ast::StmtKind::kSetting) {
      if (!top_level) return false;
      std::vector<std::string> path;
      return FindInSetting(stmt.setting, offset, &path, target);
    }
    if (stmt.kind == ast::StmtKind::kTask) {
      target->in_task = true;
      return FindInSettings(stmt.task.settings, offset, target);
    }
    if (FindInBody(stmt.body, offset, false, target) ||
        FindInBody(stmt.finally_body, offset, false, target)) {
      return true;
    }
    for (const ast::Branch& branch : stmt.branches) {
      if (FindInBody(branch.body, offset, false, target)) return true;
    }
  }
  return false;
}

}  // namespace

SettingTarget FindSetting(const Analysis& analysis, diag::FileId file, uint32_t offset) {
  SettingTarget target;
  const ast::Decl* decl = EnclosingDecl(analysis, file, offset);
  if (!decl) return target;
  target.decl = decl;
  if (decl->kind == ast::DeclKind::kPipeline) {
    FindInBody(decl->body, offset, true, &target);
  } else {
    FindInSettings(decl->settings, offset, &target);
  }
  if (!target.found) target.in_task = false;
  return target;
}

const ast::Stmt* FindBinding(const ast::Decl& pipeline, const std::string& binding) {
  std::function<const ast::Stmt*(const std::vector<ast::Stmt>&)> search =
      [&](const std::vector<ast::Stmt>& body) -> const ast::Stmt* {
    for (const ast::Stmt& stmt : body) {
      if (stmt.kind == ast::StmtKind::kTask && stmt.task.binding == binding) return &stmt;
      const ast::Stmt* found = search(stmt.body);
      if (!found) found = search(stmt.finally_body);
      for (const ast::Branch& branch : stmt.branches) {
        if (!found) found = search(branch.body);
      }
      if (found) return found;
    }
    return nullptr;
  };
  return binding.empty() ? nullptr : search(pipeline.body);
}

const ast::Param* FindParam(const std::vector<ast::Param>& params, const std::string& name) {
  for (const ast::Param& param : params) {
    if (param.name == name) return &param;
  }
  return nullptr;
}

}  // namespace kfpc::lsp

