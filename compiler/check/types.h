#pragma once

// Types of the checked program: resolving written types, assignability, and constant values.

#include <optional>
#include <string>

#include "compiler/check/context.h"

namespace kfpc::check {

// Resolves a written type against the built-in types and the declared artifact types. Reports
// an unknown or malformed type and returns nullopt.
std::optional<sema::Type> ResolveType(Context& context, const ast::TypeRef& ref);

// The built-in artifact type with this name ("Dataset"), if any.
std::optional<sema::ArtifactType> BuiltinArtifact(const std::string& name);

sema::Type ParamTypeOf(sema::ParamType param);

// Whether a value of type `actual` is accepted where `expected` is expected. An int literal for a
// float is handled by ConstantOf, so int is not assignable to float here.
bool Assignable(const sema::Type& expected, const sema::Type& actual);

// Checks a constant expression (a literal, or a list or map of literals) against `expected` and
// returns its value, with an int for a float converted to a double. Reports a mismatch and
// returns nullopt. `what` names the value in messages, such as "the default of `epochs`".
std::optional<sema::Constant> ConstantOf(Context& context, const ast::Expr& expr,
                                         const sema::Type& expected, const std::string& what);

// The type of a constant expression without an expected type, or nullopt when `expr` is not a
// constant. Does not report.
std::optional<sema::Type> ConstantType(const ast::Expr& expr);

// Whether the expression is a literal or a list or map of literals.
bool IsConstant(const ast::Expr& expr);

// The decoded value of a string literal without interpolation.
std::string StringValue(const ast::Expr& expr);

// A short description of an expression's kind for messages: "a string", "a list".
std::string DescribeExpr(const ast::Expr& expr);

}  // namespace kfpc::check
