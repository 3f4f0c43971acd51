#include "compiler/lower/placeholders.h"

#include <cstdint>
#include <cstdio>
#include <vector>

#include "compiler/diagnostics/utf8.h"

namespace kfpc::lower {
namespace {

using Kind = sema::CommandPart::Kind;

std::string SimplePlaceholder(const sema::CommandPart& part) {
  const std::string& name = part.text;
  switch (part.kind) {
    case Kind::kText: return part.text;
    case Kind::kInputValue: return "{{$.inputs.parameters['" + name + "']}}";
    case Kind::kInputPath: return "{{$.inputs.artifacts['" + name + "'].path}}";
    case Kind::kInputUri: return "{{$.inputs.artifacts['" + name + "'].uri}}";
    case Kind::kInputMetadata: return "{{$.inputs.artifacts['" + name + "'].metadata}}";
    case Kind::kOutputPath: return "{{$.outputs.artifacts['" + name + "'].path}}";
    case Kind::kOutputUri: return "{{$.outputs.artifacts['" + name + "'].uri}}";
    case Kind::kOutputMetadata: return "{{$.outputs.artifacts['" + name + "'].metadata}}";
    case Kind::kOutputParameterFile:
      return "{{$.outputs.parameters['" + name + "'].output_file}}";
    case Kind::kExecutorInput: return "{{$}}";
    case Kind::kConcat:
    case Kind::kIfPresent: break;
  }
  return "";
}

bool IsStructured(const sema::CommandPart& part) {
  return part.kind == Kind::kConcat || part.kind == Kind::kIfPresent;
}

// The structured placeholder an element consists of, or null when it is plain text.
const sema::CommandPart* StructuredPart(const sema::CommandArg& arg) {
  for (const sema::CommandPart& part : arg.parts) {
    if (IsStructured(part)) return &part;
  }
  return nullptr;
}

std::string JoinParts(const sema::CommandArg& arg) {
  std::string text;
  for (const sema::CommandPart& part : arg.parts) text += SimplePlaceholder(part);
  return text;
}

void AppendStructured(const sema::CommandPart& part, bool inside_concat, std::string* out);

// An element inside a Concat or IfPresent: a nested placeholder stays a JSON object, anything
// else becomes a JSON string.
void AppendElement(const sema::CommandArg& arg, bool inside_concat, std::string* out) {
  if (const sema::CommandPart* part = StructuredPart(arg)) {
    AppendStructured(*part, inside_concat, out);
  } else {
    AppendJsonString(JoinParts(arg), out);
  }
}

void AppendList(const std::vector<sema::CommandArg>& items, bool inside_concat, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendElement(items[i], inside_concat, out);
  }
  out->push_back(']');
}

// Inside a Concat the SDK only allows single-element branches and writes them without a list.
void AppendBranch(const std::vector<sema::CommandArg>& items, bool inside_concat,
                  std::string* out) {
  if (inside_concat && items.size() == 1) {
    AppendElement(items[0], inside_concat, out);
  } else {
    AppendList(items, inside_concat, out);
  }
}

void AppendStructured(const sema::CommandPart& part, bool inside_concat, std::string* out) {
  if (part.kind == Kind::kConcat) {
    out->append("{\"Concat\": ");
    AppendList(part.items, /*inside_concat=*/true, out);
    out->push_back('}');
    return;
  }
  out->append("{\"IfPresent\": {\"InputName\": ");
  AppendJsonString(part.text, out);
  out->append(", \"Then\": ");
  AppendBranch(part.then_items, inside_concat, out);
  // The SDK leaves out "Else" when the else branch is missing or empty.
  if (part.has_else && !part.else_items.empty()) {
    out->append(", \"Else\": ");
    AppendBranch(part.else_items, inside_concat, out);
  }
  out->append("}}");
}

// Decodes one UTF-8 sequence at `text[*i]`, advancing `*i`; a malformed byte decodes as itself.
// (The checker only lets valid UTF-8 through, so that case is for other callers.)
uint32_t DecodeUtf8(std::string_view text, size_t* i) {
  char32_t code = 0;
  size_t length = diag::DecodeUtf8(text.substr(*i), &code);
  if (length == 0) {
    code = static_cast<unsigned char>(text[*i]);
    length = 1;
  }
  *i += length;
  return code;
}

// Appends `\uXXXX` for one UTF-16 code unit.
void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(unit >> shift) & 0xF]);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    uint32_t code = DecodeUtf8(text, &i);
    switch (code) {
      case '"': out->append("\\\""); continue;
      case '\\': out->append("\\\\"); continue;
      case '\n': out->append("\\n"); continue;
      case '\r': out->append("\\r"); continue;
      case '\t': out->append("\\t"); continue;
      case '\b': out->append("\\b"); continue;
      case '\f': out->append("\\f"); continue;
      default: break;
    }
    if (code >= 0x20 && code < 0x7F) {
      out->push_back(static_cast<char>(code));
    } else if (code >= 0x10000) {
      uint32_t v = code - 0x10000;
      AppendUnicodeEscape(0xD800 + (v >> 10), out);
      AppendUnicodeEscape(0xDC00 + (v & 0x3FF), out);
    } else {
      AppendUnicodeEscape(code, out);
    }
  }
  out->push_back('"');
}

std::string CommandArgToString(const sema::CommandArg& arg) {
  if (const sema::CommandPart* part = StructuredPart(arg)) {
    std::string json;
    AppendStructured(*part, /*inside_concat=*/false, &json);
    return json;
  }
  return JoinParts(arg);
}

}  // namespace kfpc::lower
