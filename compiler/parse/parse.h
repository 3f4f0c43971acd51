#pragma once

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"

namespace kfpc::parse {

// Parses one file of `sources` into a syntax tree. Syntax errors are reported to `sink` as
// kfpc diagnostics and the parser recovers, so the returned tree holds every declaration that
// could be read; it is never null and callers check `sink` for errors.
ast::File Parse(const diag::SourceManager& sources, diag::FileId file, diag::DiagnosticSink& sink);

}  // namespace kfpc::parse
