#pragma once

// One run of the front end on an open document: the same check and passes as `kfpc check`, on
// in-memory sources, kept with the sources and syntax trees that the request handlers read.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/images/lock_file.h"
#include "compiler/passes/front_end.h"

namespace kfpc::lsp {

// The project files that the passes read for a source file, with what identifies their contents
// on disk. Two equal values mean that an analysis made with one is still current.
struct ProjectFiles {
  std::string config_path;  // `kfpc.yaml`, or empty when there is none
  std::string lock_path;    // `kfpc.lock`, or empty when there is none
  int64_t config_mtime = 0, lock_mtime = 0;  // nanoseconds since the file clock's epoch
  uintmax_t config_size = 0, lock_size = 0;

  friend bool operator==(const ProjectFiles&, const ProjectFiles&) = default;
};

// Finds `kfpc.yaml` and `kfpc.lock` for the source file `path` as `kfpc check` does and reads
// their modification times and sizes: a few stat calls and no file reads.
ProjectFiles FindProjectFiles(const std::string& path);

struct Analysis {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  check::CheckResult result;
  diag::FileId root = diag::kNoFile;
  // The first declaration of every name over all files, in load order, as the checker resolves it.
  std::map<std::string, const ast::Decl*> declarations;
  // The passes as `kfpc check` runs them: only when the check found no errors.
  passes::CheckedPasses passes;
  ProjectFiles project_files;
  // The lock file for hover, read also when the passes did not run. It is empty when the file is
  // missing or invalid, and the passes report an invalid file when they read it.
  std::optional<images::LockFile> lock;

  // Returns the syntax tree of `file`, or null when the file was not parsed.
  const ast::File* File(diag::FileId file) const;
  // Returns the declaration named `name`, or null.
  const ast::Decl* FindDecl(const std::string& name) const;
  // Returns the file that an import declaration of `importer` loaded, or kNoFile.
  diag::FileId ImportedFile(diag::FileId importer, const ast::Decl& import) const;
  std::string_view Text(diag::FileId file) const { return sources.contents(file); }
};

// Checks the document at `path` with contents `text` and, when it has no errors, runs the passes
// with the project's `kfpc.yaml` and `kfpc.lock`. Imports are read through `loader`; the project
// files are read from the disk.
std::unique_ptr<Analysis> Analyze(const std::string& path, std::string text,
                                  const check::FileLoader& loader);

}  // namespace kfpc::lsp
