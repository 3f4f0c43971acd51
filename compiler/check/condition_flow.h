#pragma once

// Comparisons in `if` conditions: explicit conversions (`int(x)`, `float(x)`, `string(x)`) and
// the types that may meet on the two sides of a comparison. Internal to compiler/check.

#include <optional>
#include <string>

#include "compiler/check/context.h"

namespace kfpc::check {

// The parameter type that the conversion function `name` produces, or nullopt when `name` is not
// one of `int`, `float` and `string`.
std::optional<sema::ParamType> ConversionTarget(const std::string& name);

// Checks the form of a conversion call in a condition: one positional argument that is not a
// constant. Reports and returns false otherwise.
bool CheckConversionCall(Context& context, const ast::Expr& call);

// Checks that a conversion applies to a value of type `source`: a string, number or bool.
// `typed` is false for a loop item of unknown type, which any conversion accepts.
bool CheckConversionSource(Context& context, const ast::Expr& call, const sema::Type& source,
                           bool typed);

// One side of a comparison as checked: its value, whether its type is known, and the conversion
// written around it.
struct ComparisonSide {
  const ast::Expr* expr = nullptr;  // as written, conversion included
  const sema::ValueRef* value = nullptr;
  bool typed = true;
  std::optional<sema::ParamType> conversion;
};

// Checks that the two sides of the comparison `expr` (operator `op`) may be compared: not two
// constants, no lists or dicts, the same type or an int with a float, and an order only between
// numbers or strings. Reports the first problem and returns false.
bool CheckComparison(Context& context, const ast::Expr& expr, const std::string& op,
                     const ComparisonSide& left, const ComparisonSide& right);

}  // namespace kfpc::check
