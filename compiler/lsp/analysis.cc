#include "compiler/lsp/analysis.h"

#include <filesystem>
#include <system_error>

#include "compiler/passes/front_end.h"
#include "compiler/passes/project_config.h"

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
  auto it = result.imports.find({importer, import.import_path_span.begin});
  return it == result.imports.end() ? diag::kNoFile : it->second;
}

namespace {

// Reads the modification time and size of `path`; both stay 0 when it cannot be read.
void Stat(const std::string& path, int64_t* mtime, uintmax_t* size) {
  if (path.empty()) return;
  std::error_code error;
  auto time = std::filesystem::last_write_time(path, error);
  if (!error) *mtime = time.time_since_epoch().count();
  uintmax_t bytes = std::filesystem::file_size(path, error);
  if (!error) *size = bytes;
}

}  // namespace

ProjectFiles FindProjectFiles(const std::string& path) {
  ProjectFiles files;
  files.config_path = passes::FindProjectConfig(path);
  files.lock_path = passes::FindLockFile(path, files.config_path);
  Stat(files.config_path, &files.config_mtime, &files.config_size);
  Stat(files.lock_path, &files.lock_mtime, &files.lock_size);
  return files;
}

std::unique_ptr<Analysis> Analyze(const std::string& path, std::string text,
                                  const check::FileLoader& loader) {
  auto analysis = std::make_unique<Analysis>();
  analysis->root = analysis->sources.AddFile(path, std::move(text));
  // Taken before the passes read the files, so that a write during the run counts as a change.
  analysis->project_files = FindProjectFiles(path);
  analysis->result = passes::CheckSource(path, analysis->root, check::OptionsWithoutEntry(), loader,
                                         analysis->sources, analysis->sink);
  if (!analysis->sink.has_errors() && analysis->result.program) {
    analysis->passes = passes::CheckEachPipelineWithPasses(
        path, passes::TargetFlags{}, *analysis->result.program, analysis->sources, analysis->sink);
  }
  if (!analysis->project_files.lock_path.empty()) {
    // A separate sink: the passes report the lock file's problems when they read it.
    diag::SourceManager lock_sources;
    diag::DiagnosticSink lock_sink;
    images::LockFile lock;
    if (images::LoadLockFile(analysis->project_files.lock_path, lock_sources, lock_sink, &lock)) {
      analysis->lock = std::move(lock);
    }
  }

  // Files load depth-first from the root, so ids follow the checker's registration order.
  for (const ast::File& file : analysis->result.files) {
    for (const ast::Decl& decl : file.decls) {
      if (!decl.name.empty()) analysis->declarations.emplace(decl.name, &decl);
    }
  }
  return analysis;
}

}  // namespace kfpc::lsp
