#pragma once

// One run of the front end on an open document: the same check as `kfpc build`, on in-memory
// sources, kept with the sources and syntax trees that the request handlers read.

#include <map>
#include <memory>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostic.h"

namespace kfpc::lsp {

struct Analysis {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  check::CheckResult result;
  diag::FileId root = diag::kNoFile;
  // The first declaration of every name over all files, in load order, as the checker resolves it.
  std::map<std::string, const ast::Decl*> declarations;

  // Returns the syntax tree of `file`, or null when the file was not parsed.
  const ast::File* File(diag::FileId file) const;
  // Returns the declaration named `name`, or null.
  const ast::Decl* FindDecl(const std::string& name) const;
  // Returns the file that an import declaration of `importer` loaded, or kNoFile.
  diag::FileId ImportedFile(diag::FileId importer, const ast::Decl& import) const;
  std::string_view Text(diag::FileId file) const { return sources.contents(file); }
};

// Checks the document at `path` with contents `text`; imports are read through `loader`.
std::unique_ptr<Analysis> Analyze(const std::string& path, std::string text,
                                  const check::FileLoader& loader);

}  // namespace kfpc::lsp
