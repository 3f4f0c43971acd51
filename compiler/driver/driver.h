#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace kfpc::driver {

// Exit statuses of `kfpc`.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitInputErrors = 1;  // the input has errors, as the diagnostics show
inline constexpr int kExitUsageOrIo = 2;    // bad command line, I/O error, or out of memory

// Runs the command line `args` (args[0] is the program name): parses the subcommand and its
// options, compiles or checks, writes diagnostics and messages to `err` and YAML or help to `out`.
// Returns the exit status. User errors, command-line errors included, are reported, not thrown.
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace kfpc::driver
