#pragma once

// Loading the root file and, recursively, the files it imports.

#include <map>

#include "compiler/check/check.h"
#include "compiler/check/context.h"

namespace kfpc::check {

// Parses `root`, then loads, adds to the sources and parses every imported file once, and
// registers the top-level declarations of all of them in `context.symbols`. Reports missing
// files, import cycles and names declared twice. `files` receives every parsed file by id.
void LoadFiles(Context& context, diag::FileId root, const FileLoader& loader,
               const std::vector<std::string>& import_directories,
               std::map<diag::FileId, ast::File>& files,
               std::map<std::pair<diag::FileId, uint32_t>, diag::FileId>* imports);

}  // namespace kfpc::check
