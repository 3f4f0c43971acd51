#include "compiler/lsp/definition.h"

#include "compiler/lsp/lookup.h"

namespace kfpc::lsp {

namespace {

diag::Span DeclaringSpan(const Target& target) {
  switch (target.kind) {
    case Target::Kind::kDeclaration: return target.decl->name_span;
    case Target::Kind::kInput:
    case Target::Kind::kOutput: return target.param->name_span;
    case Target::Kind::kTask: return target.stmt->task.binding_span;
    case Target::Kind::kLoopVariable: return target.stmt->loop_variable_span;
    case Target::Kind::kImport: return {target.file, 0, 0};
    case Target::Kind::kNone:
    case Target::Kind::kBuiltinType:
    case Target::Kind::kKeyword: break;
  }
  return {};
}

}  // namespace

nlohmann::json Definition(const Request& request) {
  Target target = FindTarget(request.analysis, request.file, request.offset);
  diag::Span span = DeclaringSpan(target);
  if (!span.valid()) return nullptr;
  return {{"uri", request.uri_of(span.file)}, {"range", ToJson(request.ToRange(span))}};
}

}  // namespace kfpc::lsp
