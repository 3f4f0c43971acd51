#include "compiler/lsp/signature.h"

namespace kfpc::lsp {

namespace {

std::string KindKeyword(ast::DeclKind kind) {
  switch (kind) {
    case ast::DeclKind::kImport: return "import";
    case ast::DeclKind::kArtifact: return "artifact";
    case ast::DeclKind::kComponent: return "component";
    case ast::DeclKind::kPipeline: return "pipeline";
  }
  return "";
}

std::string JoinParams(const Analysis& analysis, const std::vector<ast::Param>& params) {
  std::string text;
  for (const ast::Param& param : params) {
    if (!text.empty()) text += ", ";
    text += ParamText(analysis, param);
  }
  return text;
}

}  // namespace

std::string TypeText(const ast::TypeRef& type) {
  std::string text = type.name;
  if (!type.args.empty()) {
    text += "<";
    for (size_t i = 0; i < type.args.size(); ++i) {
      text += (i > 0 ? ", " : "") + TypeText(type.args[i]);
    }
    text += ">";
  }
  return type.optional ? text + "?" : text;
}

std::string ParamText(const Analysis& analysis, const ast::Param& param) {
  std::string text = param.name + ": " + TypeText(param.type);
  if (param.default_value) {
    const diag::Span& span = param.default_value->span;
    std::string_view source = analysis.Text(span.file);
    if (span.valid() && span.end <= source.size()) {
      text += " = " + std::string(source.substr(span.begin, span.end - span.begin));
    }
  }
  return text;
}

std::string OutputsText(const Analysis& analysis, const ast::Decl& decl) {
  return "(" + JoinParams(analysis, decl.outputs) + ")";
}

std::string Signature(const Analysis& analysis, const ast::Decl& decl) {
  std::string text = KindKeyword(decl.kind) + " " + decl.name;
  if (decl.kind == ast::DeclKind::kArtifact) return text;
  text += "(" + JoinParams(analysis, decl.inputs) + ")";
  if (decl.single_output && decl.outputs.size() == 1) {
    text += " -> " + TypeText(decl.outputs[0].type);
  } else if (!decl.outputs.empty()) {
    text += " -> " + OutputsText(analysis, decl);
  }
  return text;
}

std::string Description(const ast::Decl& decl) {
  if (!decl.doc.empty()) return decl.doc;
  for (const ast::Setting& setting : decl.settings) {
    if (setting.name == "description" && setting.value &&
        setting.value->kind == ast::ExprKind::kString) {
      return setting.value->text;
    }
  }
  for (const ast::Stmt& stmt : decl.body) {
    if (stmt.kind == ast::StmtKind::kSetting && stmt.setting.name == "description" &&
        stmt.setting.value && stmt.setting.value->kind == ast::ExprKind::kString) {
      return stmt.setting.value->text;
    }
  }
  return "";
}

}  // namespace kfpc::lsp
