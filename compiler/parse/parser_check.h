#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compiler/ast/ast.h"

namespace kfpc::parse {

// Every field of every node of `file`, one node per line, indented by depth. Two trees that dump to
// the same text are the same tree. Without `with_spans`, spans are left out, so that a file and
// its formatted text dump the same.
std::string DumpAst(const ast::File& file, bool with_spans = true);

struct ParserComparison {
  // The first line where the trees or the rendered diagnostics differ, or nothing.
  std::optional<std::string> difference;
  bool parsed_directly = false;  // the hand-written parser built the tree
  bool clean = false;            // the generated parser's run reported nothing
};

// Parses `text` as Parse does, which tries the hand-written parser first, and again with the
// generated parser only, and compares the two trees and the two lists of diagnostics. For tests and
// the fuzz target only: the direct parser's tree must be the generated parser's.
ParserComparison CompareWithGeneratedParser(std::string_view text);

}  // namespace kfpc::parse
