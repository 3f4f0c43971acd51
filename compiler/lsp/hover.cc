#include "compiler/lsp/hover.h"

#include <algorithm>

#include "compiler/lsp/lookup.h"
#include "compiler/lsp/signature.h"

namespace kfpc::lsp {

namespace {

std::string CodeBlock(const std::string& code) { return "```kf\n" + code + "\n```"; }

std::string WithDoc(std::string text, const std::string& doc) {
  return doc.empty() ? text : text + "\n\n" + doc;
}

std::string StringSetting(const ast::Decl& decl, const std::string& name) {
  for (const ast::Setting& setting : decl.settings) {
    if (setting.name == name && setting.value && setting.value->kind == ast::ExprKind::kString) {
      return setting.value->text;
    }
  }
  return "";
}

std::string DeclarationText(const Analysis& analysis, const ast::Decl& decl) {
  std::string text = CodeBlock(Signature(analysis, decl));
  if (decl.kind == ast::DeclKind::kArtifact) {
    std::string version = StringSetting(decl, "schema_version");
    text += "\n\nSchema `" + StringSetting(decl, "schema_title") + "`, version `" +
            (version.empty() ? "0.0.1" : version) + "`.";
  }
  return WithDoc(text, Description(decl));
}

std::string BuiltinTypeText(const std::string& name) {
  bool artifact = std::find(std::begin(kArtifactTypes), std::end(kArtifactTypes), name) !=
                  std::end(kArtifactTypes);
  if (artifact) return CodeBlock(name) + "\n\nBuilt-in artifact type `system." + name + "`.";
  return CodeBlock(name) + "\n\nBuilt-in parameter type.";
}

std::string ParamText(const Analysis& analysis, const Target& target) {
  bool input = target.kind == Target::Kind::kInput;
  std::string text = CodeBlock(std::string(input ? "(input) " : "(output) ") +
                               lsp::ParamText(analysis, *target.param));
  text += std::string("\n\n") + (input ? "Input" : "Output") + " of " +
          (target.decl->kind == ast::DeclKind::kPipeline ? "pipeline" : "component") + " `" +
          target.decl->name + "`.";
  return WithDoc(text, target.param->doc);
}

std::string TaskText(const Analysis& analysis, const Target& target) {
  const ast::TaskCall& task = target.stmt->task;
  if (!target.decl) {
    return CodeBlock("(task) " + task.binding + " = " + task.callee + "(...)") +
           "\n\nCalls `" + task.callee + "`, which is not declared.";
  }
  std::string kind = target.decl->kind == ast::DeclKind::kPipeline ? "pipeline" : "component";
  return CodeBlock("(task) " + task.binding + " = " + task.callee + "(...) -> " +
                   OutputsText(analysis, *target.decl)) +
         "\n\nCalls " + kind + " `" + task.callee + "`.";
}

std::string HoverText(const Request& request, const Target& target) {
  const Analysis& analysis = request.analysis;
  switch (target.kind) {
    case Target::Kind::kDeclaration: return DeclarationText(analysis, *target.decl);
    case Target::Kind::kBuiltinType: return BuiltinTypeText(target.name);
    case Target::Kind::kInput:
    case Target::Kind::kOutput: return ParamText(analysis, target);
    case Target::Kind::kTask: return TaskText(analysis, target);
    case Target::Kind::kLoopVariable:
      return CodeBlock("(loop variable) " + target.stmt->loop_variable);
    case Target::Kind::kImport:
      if (target.file == diag::kNoFile) return "Imported file, not found.";
      return "Imports `" + analysis.sources.path(target.file) + "`.";
    case Target::Kind::kNone: break;
  }
  return "";
}

}  // namespace

nlohmann::json Hover(const Request& request) {
  Target target = FindTarget(request.analysis, request.file, request.offset);
  std::string text = HoverText(request, target);
  if (text.empty()) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", text}}},
          {"range", ToJson(request.ToRange(target.span))}};
}

}  // namespace kfpc::lsp
