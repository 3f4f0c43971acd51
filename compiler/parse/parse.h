#pragma once

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostic.h"

namespace kfpc::parse {

// Parses one file of `sources` into a syntax tree. Syntax errors are reported to `sink` as
// kfpc diagnostics and the parser recovers, so the returned tree holds every declaration that
// could be read; it is never null and callers check `sink` for errors.
//
// A file without syntax errors is parsed by the hand-written parser (direct_parser.h), any other
// by the parser ANTLR generates from grammar/KfParser.g4, which reports the errors.
struct ParseOptions {
  bool generated_parser_only = false;  // skip the hand-written parser (tests and fuzzing)
  bool* parsed_directly = nullptr;     // set to true when the hand-written parser built the tree
};
ast::File Parse(const diag::SourceManager& sources, diag::FileId file, diag::DiagnosticSink& sink,
                const ParseOptions& options = {});

}  // namespace kfpc::parse
