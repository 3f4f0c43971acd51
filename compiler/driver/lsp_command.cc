#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/lsp/server.h"

namespace kfpc::driver {

namespace {

constexpr std::string_view kLspUsage =
    "Usage: kfpc lsp\n"
    "\n"
    "Runs the kfpc language server (Language Server Protocol 3.17) over standard input and\n"
    "output. Editors start it; logs go to standard error.\n";

}  // namespace

int RunLsp(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      out << kLspUsage;
      return kExitSuccess;
    }
    return ReportUsageError(err, "`kfpc lsp` takes no arguments", "kfpc lsp");
  }
  // Without this, std::cin reports no buffered input and the server checks a burst of edits
  // once per edit instead of once.
  std::ios::sync_with_stdio(false);
  return lsp::RunServer(std::cin, out, err);
}

}  // namespace kfpc::driver
