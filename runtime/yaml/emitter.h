#pragma once

// A small YAML document model and an emitter that writes it byte for byte as PyYAML 6 does with
// the settings the KFP SDK uses: block style, indent 2, width 80, sequences in mappings not
// indented, non-ASCII escaped (allow_unicode off), keys sorted.
//
// One deliberate difference: PyYAML resolves plain scalars with YAML 1.1 rules only, so it leaves
// strings such as `0o17`, `1e3` or `08` plain although a YAML 1.2 core-schema reader takes them
// for numbers. The emitter quotes those strings too, so that every reader sees a string.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace kfpc::yaml {

// One YAML node: a scalar (null, bool, int, double, string), a sequence, or a mapping whose keys
// are strings kept in byte order, which is the order Python's sort_keys gives.
class Node {
 public:
  using Entry = std::pair<std::string, Node>;

  Node() = default;  // null
  static Node Bool(bool value);
  static Node Int(int64_t value);
  static Node Double(double value);
  static Node String(std::string value);
  static Node Sequence();
  static Node Mapping();

  bool IsNull() const { return std::holds_alternative<std::monostate>(value_); }
  bool IsSequence() const { return std::holds_alternative<SequenceItems>(value_); }
  bool IsMapping() const { return std::holds_alternative<MappingEntries>(value_); }

  // Appends to a sequence. The node must be a sequence.
  void Append(Node item);
  // Sets a key of a mapping, replacing an existing value. The node must be a mapping.
  void Set(std::string key, Node value);
  // Returns the value of a key, or nullptr. The node must be a mapping.
  const Node* Find(const std::string& key) const;
  // Number of items or entries; 0 for scalars.
  size_t Size() const;

  friend class Emitter;

 private:
  struct SequenceItems {
    std::vector<Node> items;
  };
  struct MappingEntries {
    std::vector<Entry> entries;  // sorted by key
  };
  struct StringValue {
    std::string text;
  };
  std::variant<std::monostate, bool, int64_t, double, StringValue, SequenceItems,
               MappingEntries>
      value_;
};

// Writes the documents as one YAML stream, separated by `---` lines, each ending in a line break.
// Strings must be UTF-8; a byte that is not part of valid UTF-8 is written as a `\xNN` escape.
std::string EmitDocuments(const std::vector<Node>& documents);

// Appends the same text as EmitDocuments to `out`, which must be empty or end in a line break.
void AppendDocuments(const std::vector<Node>& documents, std::string& out);

// Appends one entry of the block mapping that is the value of a top-level key, such as one
// component under `components:`. `out` must end with that key and its colon, or with an entry
// appended by this function. Entries appended one at a time give the same text as the whole
// mapping written at once, because each entry starts on a new line at the mapping's indent. The
// last entry ends without a line break, so append one after it.
void AppendNestedEntry(const std::string& key, const Node& value, std::string& out);

// Python's repr() of a float: `2.0`, `1e-05`, `1e+16`, `inf`, `nan`.
std::string PythonFloatRepr(double value);

// The text PyYAML writes for a float: repr() lowercased with `.0` added before a bare exponent
// (`1.0e-05`), and `.inf`, `-.inf`, `.nan`.
std::string YamlFloat(double value);

}  // namespace kfpc::yaml
