#include "compiler/images/json_limits.h"

namespace kfpc::images {
namespace {

// Returns the offset of the first bracket deeper than `max_depth`, or npos. Brackets inside
// strings do not count.
size_t FindTooDeep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

bool ParseJsonWithLimits(std::string_view text, int max_depth, nlohmann::json* value,
                         std::string* error, size_t* error_offset) {
  size_t too_deep = FindTooDeep(text, max_depth);
  if (too_deep != std::string_view::npos) {
    *error = "arrays and objects nest more than " + std::to_string(max_depth) + " levels deep";
    *error_offset = too_deep;
    return false;
  }
  try {
    *value = nlohmann::json::parse(text);
    return true;
  } catch (const nlohmann::json::parse_error& exception) {
    // `byte` is 1-based and points just past the offending character.
    *error_offset = exception.byte > 0 ? exception.byte - 1 : 0;
    std::string description = exception.what();
    size_t detail = description.find("syntax error");
    *error = detail == std::string::npos ? "invalid JSON" : description.substr(detail);
    return false;
  } catch (const nlohmann::json::out_of_range& exception) {
    // A number beyond a double, such as 1e999: "number overflow parsing '1e999'". The exception
    // has no offset, so the error points at the first occurrence of the number.
    std::string description = exception.what();
    size_t detail = description.find("number overflow");
    *error = detail == std::string::npos ? "invalid JSON: a number is out of range"
                                         : description.substr(detail);
    size_t quote = description.find('\'');
    size_t end = description.rfind('\'');
    size_t number = quote < end ? text.find(description.substr(quote + 1, end - quote - 1))
                                : std::string_view::npos;
    *error_offset = number == std::string_view::npos ? 0 : number;
    return false;
  }
}

std::string StringMember(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto member = object.find(key);
  if (member == object.end() || !member->is_string()) return "";
  return member->get<std::string>();
}

}  // namespace kfpc::images
