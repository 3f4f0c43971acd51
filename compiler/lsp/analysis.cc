#include "compiler/lsp/analysis.h"

#include <filesystem>

namespace kfpc::lsp {

const ast::File* Analysis::File(diag::FileId file) const {
  if (file >= result.files.size() || result.files[file].id != file) return nullptr;
  return &result.files[file];
}

const ast::Decl* Analysis::FindDecl(const std::string& name) const {
  auto it = declarations.find(name);
  return it == declarations.end() ? nullptr : it->second;
}

diag::FileId Analysis::ImportedFile(diag::FileId importer, const ast::Decl& import) const {
  // The checker resolves an import relative to the importing file's directory, like this.
  namespace fs = std::filesystem;
  std::string path = (fs::path(sources.path(importer)).parent_path() / import.import_path)
                         .lexically_normal()
                         .string();
  return sources.Find(path);
}

std::unique_ptr<Analysis> Analyze(const std::string& path, std::string text,
                                  const check::FileLoader& loader) {
  auto analysis = std::make_unique<Analysis>();
  analysis->root = analysis->sources.AddFile(path, std::move(text));
  analysis->result = check::Check(analysis->sources, analysis->root, loader, analysis->sink);

  // Files load depth-first from the root, so ids follow the checker's registration order.
  for (const ast::File& file : analysis->result.files) {
    for (const ast::Decl& decl : file.decls) {
      if (!decl.name.empty()) analysis->declarations.emplace(decl.name, &decl);
    }
  }
  return analysis;
}

}  // namespace kfpc::lsp
