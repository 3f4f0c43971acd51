#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace kfpc::ir {

// A google.protobuf.Value (and Struct, as a map). Numbers are doubles, as in protobuf; the YAML
// writer prints them the way the KFP SDK does (`2.0`, `20971520.0`, `1.0e-05`).
struct Value {
  using List = std::vector<Value>;
  using Struct = std::map<std::string, Value>;
  std::variant<std::monostate, bool, double, std::string, List, Struct> kind;

  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool b) { Value v; v.kind = b; return v; }
  static Value Number(double d) { Value v; v.kind = d; return v; }
  static Value String(std::string s) { Value v; v.kind = std::move(s); return v; }
  static Value FromList(List l) { Value v; v.kind = std::move(l); return v; }
  static Value FromStruct(Struct s) { Value v; v.kind = std::move(s); return v; }
  friend bool operator==(const Value&, const Value&) = default;
};

}  // namespace kfpc::ir
