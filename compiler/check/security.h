#pragma once

// Security checks of the checker: literal credentials in the source, and imports that leave the
// project. Internal to compiler/check.

#include <map>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/context.h"

namespace kfpc::check {

// Returns the project root of the root file `root_path`: the nearest directory at or above it
// that contains `kfpc.yaml` or `.git`, or else the root file's own directory. The path is
// absolute, normal and has its symbolic links resolved.
std::string FindProjectRoot(const std::string& root_path);

// Reports an import of `importer` at `depth` (the root file's imports are at depth 1) whose
// resolved `path` lies outside `project_root` and outside every one of `allowed_directories`
// (absolute paths) after resolving `..` and symbolic links, or which is deeper than
// kMaxImportDepth. Returns false when the file must not be loaded.
bool CheckImportAllowed(Context& context, const ast::Decl& import, const std::string& path,
                        const std::string& project_root,
                        const std::vector<std::string>& allowed_directories, size_t depth);

// Reports a value of the Python component setting `packages`, `pip_index_urls` or
// `pip_trusted_hosts` that could change the pip bootstrap's shell script: characters the shell
// interprets where the value is unquoted, a `'` or `\` inside a requirement that is written in
// single quotes, and a leading `-` that pip would read as an option.
void CheckPipSetting(Context& context, const ast::Setting& setting);

// Reports a `concat(...)` call whose adjacent constant arguments join into `{{$`, which the KFP
// backend may replace after joining, unless the `$` is written `\$` to pass a placeholder.
void CheckConcatPlaceholders(Context& context, const ast::Expr& call);

// Warns about string literals that look like credentials (AWS access key ids, GitHub tokens,
// private key blocks) and about literal values of environment variables, inputs and arguments
// whose names suggest a secret, such as `AWS_SECRET_ACCESS_KEY`.
void CheckLiteralCredentials(Context& context, const std::map<diag::FileId, ast::File>& files);

}  // namespace kfpc::check
