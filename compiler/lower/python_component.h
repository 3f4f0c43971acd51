#pragma once

// The container of a lightweight Python component, built as the KFP SDK's @dsl.component does:
// a pip bootstrap, the executor_main launcher and the function's source with the SDK's imports.

#include <string>
#include <string_view>
#include <vector>

#include "compiler/sema/program.h"

namespace kfpc::lower {

// The image the SDK uses when a Python component names none.
inline constexpr std::string_view kDefaultPythonImage = "python:3.11";

// Returns the `command` of the component: `sh -c <pip bootstrap>` (when anything is installed),
// then `sh -ec <launcher> <source>`. `kfp_version` is pinned as `kfp==VERSION`.
std::vector<std::string> PythonCommand(const sema::PythonFunction& function,
                                       std::string_view kfp_version);

// Returns the `args`: `--executor_input {{$}} --function_to_execute NAME`.
std::vector<std::string> PythonArgs(const sema::PythonFunction& function);

// Returns `text` quoted as Python's repr() quotes a str.
std::string PythonRepr(std::string_view text);

// Returns the module that the component runs: the whole `python` source, dedented as
// textwrap.dedent does, without leading and trailing blank lines, ending in one newline. Every
// top-level statement is kept in order, so imports, constants and helpers reach the module. For a
// source that is only the function, this is the text that the KFP SDK embeds (inspect.getsource,
// then textwrap.dedent).
std::string ModuleSource(std::string_view source);

}  // namespace kfpc::lower
