#include "compiler/check/imports.h"

#include <algorithm>
#include <filesystem>

#include "compiler/check/security.h"
#include "compiler/parse/parse.h"

namespace kfpc::check {

namespace {

class ImportLoader {
 public:
  ImportLoader(Context& context, const FileLoader& loader, std::map<diag::FileId, ast::File>& files)
      : context_(context), loader_(loader), files_(files) {}

  // Parses one file, registers its declarations and loads its imports. `via` is the import that
  // brought the file in, where a name clash with another file is reported.
  void Load(diag::FileId id, const ast::Decl* via) {
    size_t first_syntax_error = context_.sink.diagnostics().size();
    files_[id] = parse::Parse(context_.sources, id, context_.sink);
    files_[id].id = id;
    const ast::File& file = files_[id];
    MarkBrokenDeclarations(file, first_syntax_error);
    for (const ast::Decl& decl : file.decls) {
      if (decl.kind != ast::DeclKind::kImport) Register(decl, via);
    }
    stack_.push_back(id);
    for (const ast::Decl& decl : file.decls) {
      if (decl.kind == ast::DeclKind::kImport) Import(id, decl);
    }
    stack_.pop_back();
  }

 private:
  void MarkBrokenDeclarations(const ast::File& file, size_t first_syntax_error) {
    const std::vector<diag::Diagnostic>& found = context_.sink.diagnostics();
    for (const ast::Decl& decl : file.decls) {
      for (size_t i = first_syntax_error; i < found.size(); ++i) {
        const diag::Span& span = found[i].span;
        if (span.file == decl.span.file && span.begin >= decl.span.begin &&
            span.begin <= decl.span.end) {
          context_.broken_declarations.push_back(decl.span);
          break;
        }
      }
    }
  }

  void Register(const ast::Decl& decl, const ast::Decl* via) {
    if (decl.name.empty()) return;
    bool is_pipeline = decl.kind == ast::DeclKind::kPipeline;
    std::map<std::string, Symbol>& table = is_pipeline ? context_.pipelines : context_.symbols;
    std::map<std::string, Symbol>& other = is_pipeline ? context_.symbols : context_.pipelines;
    const ast::Decl* first = nullptr;
    if (auto it = table.find(decl.name); it != table.end()) first = it->second.decl;
    if (auto it = other.find(decl.name);
        !first && it != other.end() && (it->second.decl->kind == ast::DeclKind::kArtifact ||
                                        decl.kind == ast::DeclKind::kArtifact)) {
      first = it->second.decl;
    }
    if (!first) {
      Symbol symbol;
      symbol.decl = &decl;
      table.emplace(decl.name, symbol);
      return;
    }
    if (first->span.file == decl.span.file || !via) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kDuplicateDeclaration, decl.name_span,
                                            "`" + decl.name + "` is declared twice");
      d.labels.push_back({first->name_span, "first declared here"});
      d.help = "rename one of the declarations";
      return;
    }
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kDuplicateDeclaration, via->import_path_span,
        "this import declares `" + decl.name + "` again, which is already declared in `" +
            context_.sources.path(first->span.file) + "`");
    d.labels.push_back({first->name_span, "first declared here"});
    d.labels.push_back({decl.name_span, "declared again here"});
    d.help = "rename one of the declarations";
  }

  std::string Chain(diag::FileId target) const {
    std::string chain;
    auto start = std::find(stack_.begin(), stack_.end(), target);
    for (auto it = start; it != stack_.end(); ++it) {
      chain += "`" + context_.sources.path(*it) + "` -> ";
    }
    return chain + "`" + context_.sources.path(target) + "`";
  }

  void Import(diag::FileId importer, const ast::Decl& decl) {
    namespace fs = std::filesystem;
    const std::string& importer_path = context_.sources.path(importer);
    std::string path =
        (fs::path(importer_path).parent_path() / decl.import_path).lexically_normal().string();
    diag::FileId id = context_.sources.Find(path);
    if (id != diag::kNoFile && std::find(stack_.begin(), stack_.end(), id) != stack_.end()) {
      context_.Report(diag::Kind::kImportCycle, decl.import_path_span,
                      "import cycle: " + Chain(id))
          .help = "remove one of the imports in the cycle, for example by moving shared "
                  "declarations into a file that imports nothing from the cycle";
      return;
    }
    if (id != diag::kNoFile && files_.count(id)) return;
    std::string project_root = FindProjectRoot(context_.sources.path(stack_.front()));
    if (!CheckImportAllowed(context_, decl, path, project_root, stack_.size())) return;
    if (id == diag::kNoFile) {
      std::optional<std::string> contents = loader_(path);
      if (!contents) {
        context_.Report(diag::Kind::kImportNotFound, decl.import_path_span,
                        "imported file `" + path + "` was not found")
            .help = "import paths are relative to the directory of `" + importer_path + "`";
        return;
      }
      id = context_.sources.AddFile(path, std::move(*contents));
    }
    Load(id, &decl);
  }

  Context& context_;
  const FileLoader& loader_;
  std::map<diag::FileId, ast::File>& files_;
  std::vector<diag::FileId> stack_;
};

}  // namespace

void LoadFiles(Context& context, diag::FileId root, const FileLoader& loader,
               std::map<diag::FileId, ast::File>& files) {
  ImportLoader(context, loader, files).Load(root, nullptr);
}

}  // namespace kfpc::check
