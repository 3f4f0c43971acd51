#include "compiler/lsp/symbols.h"

#include "compiler/lsp/signature.h"

namespace kfpc::lsp {

namespace {

// SymbolKind of LSP 3.17.
constexpr int kSymbolModule = 2;
constexpr int kSymbolFunction = 12;
constexpr int kSymbolVariable = 13;
constexpr int kSymbolStruct = 23;

nlohmann::json Symbol(const Analysis& analysis, const std::string& name, const std::string& detail,
                      int kind, diag::Span span, diag::Span selection,
                      PositionEncoding encoding) {
  // A selection range must lie inside the range; a recovered node may lack a name span.
  if (!selection.valid() || selection.begin < span.begin || selection.end > span.end) {
    selection = span;
  }
  return {{"name", name},
          {"detail", detail},
          {"kind", kind},
          {"range", ToJson(SpanToRange(analysis.sources, span, encoding))},
          {"selectionRange", ToJson(SpanToRange(analysis.sources, selection, encoding))}};
}

void AddTasks(const Analysis& analysis, const std::vector<ast::Stmt>& body,
              PositionEncoding encoding, nlohmann::json& children) {
  for (const ast::Stmt& stmt : body) {
    if (stmt.kind == ast::StmtKind::kTask) {
      const ast::TaskCall& task = stmt.task;
      bool bound = !task.binding.empty();
      children.push_back(Symbol(analysis, bound ? task.binding : task.callee, task.callee + "(...)",
                                kSymbolVariable, stmt.span,
                                bound ? task.binding_span : task.callee_span, encoding));
    }
    for (const ast::Branch& branch : stmt.branches) AddTasks(analysis, branch.body, encoding, children);
    AddTasks(analysis, stmt.body, encoding, children);
    AddTasks(analysis, stmt.finally_body, encoding, children);
  }
}

}  // namespace

nlohmann::json DocumentSymbols(const Analysis& analysis, diag::FileId file,
                               PositionEncoding encoding) {
  nlohmann::json symbols = nlohmann::json::array();
  const ast::File* tree = analysis.File(file);
  if (!tree) return symbols;
  for (const ast::Decl& decl : tree->decls) {
    if (decl.kind == ast::DeclKind::kImport || decl.name.empty()) continue;
    int kind = decl.kind == ast::DeclKind::kArtifact    ? kSymbolStruct
               : decl.kind == ast::DeclKind::kComponent ? kSymbolFunction
                                                        : kSymbolModule;
    nlohmann::json symbol = Symbol(analysis, decl.name, Signature(analysis, decl), kind, decl.span,
                                   decl.name_span, encoding);
    if (decl.kind == ast::DeclKind::kPipeline) {
      nlohmann::json children = nlohmann::json::array();
      AddTasks(analysis, decl.body, encoding, children);
      symbol["children"] = std::move(children);
    }
    symbols.push_back(std::move(symbol));
  }
  return symbols;
}

}  // namespace kfpc::lsp
