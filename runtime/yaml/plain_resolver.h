#pragma once

// Whether a string written as a plain scalar would be read back as something other than a
// string. Used by the emitter to decide when a string needs quotes.

#include <string_view>

namespace kfpc::yaml {

// True when PyYAML's YAML 1.1 implicit resolvers (bool, int, float, null, timestamp, merge,
// value) match the text, so that PyYAML quotes it.
bool ResolvesAsNonStringYaml11(std::u32string_view text);

// True when the YAML 1.2 core schema reads the text as a null, bool, int or float.
bool ResolvesAsNonStringYaml12(std::u32string_view text);

}  // namespace kfpc::yaml
