#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kfpc::images {

// Parses `text` as JSON after checking that arrays and objects nest at most `max_depth` deep,
// because nlohmann's parser recurses once per level. Returns false and sets `*error` and
// `*error_offset` (a byte offset into `text`) on invalid or too deeply nested input.
bool ParseJsonWithLimits(std::string_view text, int max_depth, nlohmann::json* value,
                         std::string* error, size_t* error_offset);

// Returns the string member `key` of `object`, or an empty string when it is absent or not a
// string.
std::string StringMember(const nlohmann::json& object, std::string_view key);

}  // namespace kfpc::images
