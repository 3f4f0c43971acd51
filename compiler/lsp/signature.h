#pragma once

// Renders declarations as kfpc source text for hover and completion details.

#include <string>
#include <string_view>

#include "compiler/ast/ast.h"
#include "compiler/lsp/analysis.h"

namespace kfpc::lsp {

// Returns a type as written: "int", "list<Dataset>", "string?".
std::string TypeText(const ast::TypeRef& type);

// Returns "name: Type" or "name: Type = default", with the default as written in the source.
std::string ParamText(const Analysis& analysis, const ast::Param& param);

// Returns the declaration's header: "component train(data: Dataset, epochs: int = 10) ->
// (model: Model)", "pipeline p()", "artifact Tabular".
std::string Signature(const Analysis& analysis, const ast::Decl& decl);

// Returns the outputs as "(model: Model, accuracy: float)", or "()" when there are none.
std::string OutputsText(const Analysis& analysis, const ast::Decl& decl);

// Returns the description: the doc comment, else a `description` setting written as a string.
std::string Description(const ast::Decl& decl);

}  // namespace kfpc::lsp

namespace kfpc::lsp {

// Built-in names of the language (docs/language.md).
inline constexpr std::string_view kParameterTypes[] = {
    "string", "int", "float", "bool", "list", "dict", "PipelineTaskFinalStatus"};
inline constexpr std::string_view kArtifactTypes[] = {
    "Artifact", "Dataset", "Model", "Metrics", "ClassificationMetrics",
    "SlicedClassificationMetrics", "HTML", "Markdown"};
inline constexpr std::string_view kKeywords[] = {
    "import", "artifact", "component", "pipeline", "return", "if", "else", "for", "in",
    "try", "finally", "true", "false", "none", "and", "or", "not"};

}  // namespace kfpc::lsp
