// HeaderLines (declared in ir_to_yaml.h): the comment block the SDK writes above the YAML.

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "runtime/yaml/emitter.h"
#include "runtime/yaml/ir_to_yaml.h"

namespace kfpc::yaml {
namespace {

// Returns Python's repr() of a str: single quotes unless the text contains a single quote and
// no double quote. Control characters and U+0080..U+00A0 are escaped, other text is kept.
std::string PythonStringRepr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\\' || byte == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += text[i];
    } else if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
      out += buffer;
    } else if (byte == 0xe2 && text.substr(i, 2) == "\xe2\x80" && i + 2 < text.size() &&
               (text[i + 2] == '\xa8' || text[i + 2] == '\xa9')) {
      // U+2028 and U+2029 break lines in YAML and are not printable for Python.
      out += text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else if (byte == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) <= 0xa0) {
      // U+0080..U+00A0: C1 controls and the no-break space, which Python escapes.
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(text[++i]));
      out += buffer;
    } else {
      out += text[i];
    }
  }
  out += quote;
  return out;
}

// Returns Python's repr() of the object MessageToDict makes of a google.protobuf.Value.
std::string PythonRepr(const ir::Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "None"; }
    std::string operator()(bool b) const { return b ? "True" : "False"; }
    std::string operator()(double d) const { return PythonFloatRepr(d); }
    std::string operator()(const std::string& s) const { return PythonStringRepr(s); }
    std::string operator()(const ir::Value::List& list) const {
      std::string out = "[";
      for (size_t i = 0; i < list.size(); ++i) {
        if (i > 0) out += ", ";
        out += PythonRepr(list[i]);
      }
      return out + "]";
    }
    std::string operator()(const ir::Value::Struct& fields) const {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, item] : fields) {
        if (!first) out += ", ";
        first = false;
        out += PythonStringRepr(key) + ": " + PythonRepr(item);
      }
      return out + "}";
    }
  };
  return std::visit(Visitor{}, value.kind);
}

// True when `text` has a control character, a C1 control or U+2028/U+2029: the characters that
// PythonStringRepr escapes apart from quotes and backslashes.
bool NeedsEscapes(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return true;
    if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0xa0) {
      return true;
    }
    if (text.substr(i, 3) == "\xe2\x80\xa8" || text.substr(i, 3) == "\xe2\x80\xa9") return true;
  }
  return false;
}

// The SDK wraps a top-level string default in quotes without escaping it, and prints other
// defaults with str(), which for floats, lists and dicts is repr(). A string with a line break or
// another control character would end the comment and inject YAML (or make the file unreadable),
// so kfpc writes such a default as repr() instead, unlike the SDK.
std::string DefaultText(const ir::Value& value) {
  const auto* text = std::get_if<std::string>(&value.kind);
  if (text == nullptr) return PythonRepr(value);
  return NeedsEscapes(*text) ? PythonStringRepr(*text) : "'" + *text + "'";
}

// Replaces control characters, which PyYAML rejects anywhere in a stream, with `\xNN`.
std::string EscapeControlCharacters(std::string line) {
  std::string out;
  for (char c : line) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

// The Python type names the SDK prints for parameter types.
const char* CommentTypeName(ir::ParameterType type) {
  switch (type) {
    case ir::ParameterType::kString:
      return "str";
    case ir::ParameterType::kNumberInteger:
      return "int";
    case ir::ParameterType::kNumberDouble:
      return "float";
    case ir::ParameterType::kList:
      return "list";
    case ir::ParameterType::kStruct:
      return "dict";
    case ir::ParameterType::kBoolean:
      return "bool";
    case ir::ParameterType::kTaskFinalStatus:
      return "PipelineTaskFinalStatus";
    case ir::ParameterType::kUnspecified:
      break;
  }
  return "";
}

// Splits at the line boundaries of Python's str.splitlines(); the breaks are dropped.
std::vector<std::string> SplitLines(std::string_view text) {
  static constexpr std::string_view kBreaks[] = {
      "\r\n", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\xc2\x85", "\xe2\x80\xa8",
      "\xe2\x80\xa9"};
  std::vector<std::string> lines;
  size_t start = 0, i = 0;
  while (i < text.size()) {
    size_t width = 0;
    for (std::string_view brk : kBreaks) {
      if (text.substr(i, brk.size()) == brk) {
        width = brk.size();
        break;
      }
    }
    if (width == 0) {
      ++i;
      continue;
    }
    lines.emplace_back(text.substr(start, i - start));
    i += width;
    start = i;
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  return lines;
}

struct Signature {
  std::string name;
  std::string text;  // "name: type [Default: ...]"
};

// Appends "# Inputs:" or "# Outputs:" and one line per parameter and artifact, sorted by name.
template <typename Definitions>
void AppendSignatures(const Definitions& definitions, const char* heading,
                      std::vector<std::string>& lines) {
  if (definitions.empty()) return;
  lines.emplace_back(heading);
  std::vector<Signature> signatures;
  for (const auto& entry : definitions.parameters) {
    // Not a structured binding: clang 14 rejects one inside the requires-expression.
    const std::string& name = entry.first;
    const auto& def = entry.second;
    std::string text = name + ": " + CommentTypeName(def.parameter_type);
    if constexpr (requires { entry.second.default_value; }) {
      if (def.default_value) text += " [Default: " + DefaultText(*def.default_value) + "]";
    }
    signatures.push_back({name, std::move(text)});
  }
  for (const auto& [name, def] : definitions.artifacts) {
    signatures.push_back({name, name + ": " + def.artifact_type.schema_title});
  }
  std::stable_sort(signatures.begin(), signatures.end(),
                   [](const Signature& a, const Signature& b) { return a.name < b.name; });
  for (const Signature& signature : signatures) lines.push_back("#    " + signature.text);
}

}  // namespace

std::vector<std::string> HeaderLines(const ir::PipelineSpec& spec) {
  std::vector<std::string> lines = {"# PIPELINE DEFINITION", "# Name: " + spec.pipeline_info.name};
  const std::string& description = spec.header_description ? *spec.header_description
                                                            : spec.pipeline_info.description;
  if (!description.empty()) {
    std::vector<std::string> parts = SplitLines(description);
    if (parts.empty()) parts.emplace_back();
    lines.push_back("# Description: " + parts[0]);
    // Later lines line up under the first, as the SDK indents them.
    for (size_t i = 1; i < parts.size(); ++i) lines.push_back("#              " + parts[i]);
  }
  AppendSignatures(spec.root.input_definitions, "# Inputs:", lines);
  AppendSignatures(spec.root.output_definitions, "# Outputs:", lines);
  for (std::string& line : lines) line = EscapeControlCharacters(std::move(line));
  return lines;
}

}  // namespace kfpc::yaml
