#pragma once

// Container command-line elements as the SDK writes them: `{{$.inputs.parameters['x']}}` for
// plain placeholders and the json.dumps text of Concat and IfPresent placeholders.

#include <string>
#include <string_view>

#include "compiler/sema/program.h"

namespace kfpc::lower {

// Returns one `command` or `args` element: its parts joined, or the JSON text of its Concat or
// IfPresent placeholder.
std::string CommandArgToString(const sema::CommandArg& arg);

// Appends `text` as a JSON string literal quoted and escaped as Python's json.dumps does with its
// defaults: non-ASCII characters as \uXXXX escapes (surrogate pairs above U+FFFF).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace kfpc::lower
