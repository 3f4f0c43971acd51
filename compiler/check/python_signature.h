#pragma once

// A small scanner for the signature of the function in a Python component's source:
// `def NAME(params) -> RETURN:` with annotations and defaults, over several lines, with nested
// brackets, strings and comments. It reads the signature only, never the body.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kfpc::check {

struct PyKeyword;

// An annotation expression: `str`, `dsl.Input[Dataset]`, `OutputPath('Model')`,
// `NamedTuple('Outputs', [('a', int)])`. Offsets are bytes into the source.
struct PyExpr {
  enum class Kind { kName, kString, kNumber, kSubscript, kCall, kList, kTuple, kUnion };
  Kind kind = Kind::kName;
  std::string text;  // dotted name, string contents or number
  size_t begin = 0, end = 0;
  std::vector<PyExpr> args;  // subscript, call positional arguments, list or tuple items, union
  std::vector<PyKeyword> keywords;  // call keyword arguments
};

// A keyword argument of a call. A struct, not a std::pair: clang 14 with libstdc++ 12 rejects
// std::pair<std::string, PyExpr> inside PyExpr, because pair's constructor constraints need
// PyExpr's copy constructor, which needs the pair.
struct PyKeyword {
  std::string name;
  PyExpr value;
};

struct PyParam {
  std::string name;
  size_t begin = 0, end = 0;  // the name
  std::optional<PyExpr> annotation;
  bool has_default = false;
  // The default when it is one name, string or number, such as `None`, `'a'` or `-1.5`. The text
  // keeps a leading `-`. Nullopt for any other expression.
  std::optional<PyExpr> literal_default;
  bool is_variadic = false;  // `*args` or `**kwargs`
};

struct PySignature {
  std::string name;
  size_t name_begin = 0, name_end = 0;
  std::vector<PyParam> params;
  std::optional<PyExpr> returns;
};

struct PyError {
  std::string message;
  size_t begin = 0, end = 0;
};

struct PyScanResult {
  std::optional<PySignature> signature;
  PyError error;
};

// Scans the signature of the last top-level `def function_name` of `source`, or of the first
// top-level `def` when none has that name. A `def` in a string or a comment does not count.
// Returns the signature, or the first syntax error.
PyScanResult ScanPythonSignature(std::string_view source, std::string_view function_name = {});

}  // namespace kfpc::check
