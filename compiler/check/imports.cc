#include "compiler/check/imports.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "compiler/check/security.h"
#include "compiler/parse/parse.h"

namespace kfpc::check {

namespace {

namespace fs = std::filesystem;

// The path with symbolic links, `.` and `..` resolved, which is the same for every spelling of
// one file. A path that does not exist is made absolute and normalized lexically.
std::string CanonicalPath(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) return fs::path(path).lexically_normal().string();
  fs::path canonical = fs::weakly_canonical(absolute, error);
  return (error ? absolute.lexically_normal() : canonical).string();
}

// Describes a file type that cannot be imported, or returns an empty string for a regular file
// or a path that does not exist.
std::string UnreadableFileType(fs::file_type type) {
  switch (type) {
    case fs::file_type::fifo:
      return "a FIFO (named pipe)";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    case fs::file_type::unknown:
      return "a file of unknown type";
    default:
      return "";
  }
}

// Up to three `.kf` files directly in `directory`, sorted, for the help of an import that names
// the directory.
std::vector<std::string> SourcesIn(const fs::path& directory) {
  std::vector<std::string> found;
  std::error_code error;
  for (fs::directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".kf") found.push_back(it->path().filename().string());
  }
  std::sort(found.begin(), found.end());
  if (found.size() > 3) found.resize(3);
  return found;
}

class ImportLoader {
 public:
  ImportLoader(Context& context, const FileLoader& loader,
               const std::vector<std::string>& import_directories,
               std::map<diag::FileId, ast::File>& files,
               std::map<std::pair<diag::FileId, uint32_t>, diag::FileId>* imports)
      : context_(context), loader_(loader), import_directories_(import_directories),
        files_(files), imports_(imports) {}

  // Parses one file, registers its declarations and loads its imports. `via` is the import that
  // brought the file in, where a name clash with another file is reported.
  void Load(diag::FileId id, const ast::Decl* via) {
    size_t first_syntax_error = context_.sink.diagnostics().size();
    files_[id] = parse::Parse(context_.sources, id, context_.sink);
    files_[id].id = id;
    loaded_.emplace(CanonicalPath(context_.sources.path(id)), id);
    const ast::File& file = files_[id];
    MarkBrokenDeclarations(file, first_syntax_error);
    if (via != nullptr) vias_.push_back(via);
    for (const ast::Decl& decl : file.decls) {
      if (decl.kind != ast::DeclKind::kImport) Register(decl, via);
    }
    stack_.push_back(id);
    for (const ast::Decl& decl : file.decls) {
      if (decl.kind == ast::DeclKind::kImport) Import(id, decl);
    }
    stack_.pop_back();
    if (via != nullptr) vias_.pop_back();
  }

 private:
  void MarkBrokenDeclarations(const ast::File& file, size_t first_syntax_error) {
    const std::vector<diag::Diagnostic>& found = context_.sink.diagnostics();
    for (const ast::Decl& decl : file.decls) {
      for (size_t i = first_syntax_error; i < found.size(); ++i) {
        // An out-of-range integer leaves the tree whole, so the declaration is still checked.
        if (found[i].kind == diag::Kind::kInvalidValue) continue;
        // A warning, such as a bidirectional control character in a string, breaks nothing.
        if (found[i].severity != diag::Severity::kError) continue;
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
    // The clash is reported at the root file's import that brings the second declaration in.
    // The author of the file being compiled can change that import, while an intermediate file
    // may compile on its own.
    const ast::Decl* outermost = vias_.empty() ? via : vias_.front();
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kDuplicateDeclaration, outermost->import_path_span,
        "this import declares `" + decl.name + "` again, which is already declared in `" +
            context_.sources.path(first->span.file) + "`");
    d.labels.push_back({first->name_span, "first declared here"});
    if (via != outermost) {
      d.labels.push_back({via->import_path_span, "imported through here"});
    }
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
    if (decl.import_path.empty()) {
      context_
          .Report(diag::Kind::kImportNotFound, decl.import_path_span, "the import path is empty")
          .help =
          "write the path of a `.kf` file, relative to this file, such as `import "
          "\"lib.kf\"`";
      return;
    }
    const std::string& importer_path = context_.sources.path(importer);
    // The path as the OS resolves it, where `link/..` is the parent of the link's target, and
    // its shorter lexical form, shown in messages when both name the same file.
    fs::path joined = fs::path(importer_path).parent_path() / decl.import_path;
    std::string canonical = CanonicalPath(joined.string());
    std::string path = joined.lexically_normal().string();
    if (CanonicalPath(path) != canonical) path = joined.string();
    // Two spellings of one file (`./a.kf`, `lib/../a.kf`, a symbolic link) are one file, so the
    // cycle and duplicate checks compare canonical paths.
    diag::FileId id = diag::kNoFile;
    if (auto it = loaded_.find(canonical); it != loaded_.end()) {
      id = it->second;
    } else {
      id = context_.sources.Find(path);
    }
    if (id != diag::kNoFile) (*imports_)[{importer, decl.import_path_span.begin}] = id;
    if (id != diag::kNoFile && std::find(stack_.begin(), stack_.end(), id) != stack_.end()) {
      context_.Report(diag::Kind::kImportCycle, decl.import_path_span,
                      "import cycle: " + Chain(id))
          .help = "remove one of the imports in the cycle, for example by moving shared "
                  "declarations into a file that imports nothing from the cycle";
      return;
    }
    if (id != diag::kNoFile && files_.count(id)) return;
    std::string project_root = FindProjectRoot(context_.sources.path(stack_.front()));
    if (!CheckImportAllowed(context_, decl, path, project_root, import_directories_,
                            stack_.size())) {
      return;
    }
    if (id == diag::kNoFile) {
      if (!CheckImportedFileType(decl, path)) return;
      std::optional<std::string> contents = loader_(path);
      if (!contents) {
        diag::Diagnostic& d =
            context_.Report(diag::Kind::kImportNotFound, decl.import_path_span,
                            "imported file `" + decl.import_path + "` was not found");
        if (path != decl.import_path) d.notes.push_back("kfpc looked for `" + path + "`");
        d.help = "import paths are relative to the directory of `" + importer_path + "`";
        return;
      }
      id = context_.sources.AddFile(path, std::move(*contents));
      (*imports_)[{importer, decl.import_path_span.begin}] = id;
    }
    Load(id, &decl);
  }

  // Reports an import of a directory, FIFO, socket or device, which has no source to read; a
  // FIFO would block the read. Checked with `stat`, before the file is opened.
  bool CheckImportedFileType(const ast::Decl& decl, const std::string& path) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error) return true;  // missing or unreadable: the loader reports it
    if (status.type() == fs::file_type::directory) {
      diag::Diagnostic& d =
          context_.Report(diag::Kind::kImportNotFound, decl.import_path_span,
                          "import `" + decl.import_path + "` names a directory, not a file");
      std::vector<std::string> sources = SourcesIn(path);
      std::string prefix = decl.import_path;
      if (!prefix.empty() && prefix.back() != '/') prefix += '/';
      d.help = sources.empty()
                   ? "import a `.kf` file; the directory `" + path + "` contains none"
                   : "import one `.kf` file of the directory, such as `\"" + prefix +
                         sources.front() + "\"`";
      return false;
    }
    std::string type = UnreadableFileType(status.type());
    if (type.empty()) return true;
    context_.Report(diag::Kind::kImportNotFound, decl.import_path_span,
                    "import `" + decl.import_path + "` names " + type +
                        ", not a regular file, so it is not read")
        .help = "import a `.kf` source file";
    return false;
  }

  Context& context_;
  const FileLoader& loader_;
  const std::vector<std::string>& import_directories_;
  std::map<diag::FileId, ast::File>& files_;
  std::map<std::pair<diag::FileId, uint32_t>, diag::FileId>* imports_;
  std::vector<diag::FileId> stack_;
  // The imports that lead from the root file to the file being loaded, outermost first.
  std::vector<const ast::Decl*> vias_;
  std::map<std::string, diag::FileId> loaded_;  // by canonical path
};

}  // namespace

void LoadFiles(Context& context, diag::FileId root, const FileLoader& loader,
               const std::vector<std::string>& import_directories,
               std::map<diag::FileId, ast::File>& files,
               std::map<std::pair<diag::FileId, uint32_t>, diag::FileId>* imports) {
  size_t before = context.sink.diagnostics().size();
  ImportLoader(context, loader, import_directories, files, imports).Load(root, nullptr);
  const std::vector<diag::Diagnostic>& reported = context.sink.diagnostics();
  context.import_failed = std::any_of(reported.begin() + before, reported.end(),
                                      [](const diag::Diagnostic& d) {
                                        return d.kind == diag::Kind::kImportNotFound ||
                                               d.kind == diag::Kind::kImportOutsideProject ||
                                               d.kind == diag::Kind::kImportTooDeep;
                                      });
}

}  // namespace kfpc::check
