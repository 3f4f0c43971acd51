#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/source_manager.h"

// Declarations shared by the subcommands of `kfpc`. Only files in compiler/driver/ include it.
namespace kfpc::driver {

// The version printed by `kfpc --version` and written into `sdkVersion`.
std::string_view Version();

// Runs a subcommand. `args[0]` is the subcommand's name and the rest are its arguments. Writes
// YAML or help to `out` and diagnostics to `err`, and returns the exit status.
int RunBuild(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// Resolves images over the network and writes the lock file: the only networked command.
int RunLockCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunFmt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// Runs the language server on the process's standard input; `out` must be standard output.
int RunLsp(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Writes `kfpc: error: MESSAGE`, then `help: HELP` unless `help` is empty, then a line that
// points to `COMMAND --help` to `err`, and returns kExitUsageOrIo. `command` is the command as
// typed, such as `kfpc build`.
int ReportUsageError(std::ostream& err, std::string_view message, std::string_view command,
                     std::string_view help = {});

// Parses `args` with `options`. Arguments that are not options are left in `unmatched()`. On a
// usage error reports it with a pointer to the command's help and returns nullopt.
std::optional<cxxopts::ParseResult> ParseArguments(cxxopts::Options& options,
                                                   const std::vector<std::string>& args,
                                                   std::ostream& err);

// The help of `options` without the spaces that cxxopts leaves at the end of wrapped lines.
std::string HelpText(const cxxopts::Options& options);

// Reads `path` into `sources` and checks it, with the `import_directories` of its kfpc.yaml.
// Writes every diagnostic, warnings included, to `err`. Returns kExitSuccess, kExitInputErrors
// when the file has errors, or kExitUsageOrIo when it cannot be read.
int CheckFile(const std::string& path, const check::CheckOptions& options,
              diag::SourceManager& sources, check::CheckResult* result, std::ostream& err);

// Renders one diagnostic without a source location, such as an I/O error, to `err`.
void ReportWithoutLocation(std::ostream& err, diag::Kind kind, std::string message,
                           std::string help = "");

}  // namespace kfpc::driver
