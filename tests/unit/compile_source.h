#pragma once

// Compiles a `.kf` source in memory through the checker, the lowering and the YAML writer, for
// tests that assert the IR of a small program.

#include <optional>
#include <string>

#include "compiler/check/check.h"
#include "compiler/lower/lower.h"
#include "runtime/yaml/ir_to_yaml.h"

namespace kfpc::testing {

struct Compiled {
  std::string errors;    // every diagnostic, rendered
  std::string yaml;      // both documents; empty when there are errors
  std::string platform;  // the PlatformSpec document, without its `---` line
};

inline Compiled Compile(const std::string& text) {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId root = sources.AddFile("main.kf", text);
  check::FileLoader no_imports = [](const std::string&) { return std::nullopt; };
  check::CheckResult result = check::Check(sources, root, no_imports, sink);
  Compiled compiled;
  compiled.errors = diag::RenderAll(sources, sink.diagnostics());
  if (result.program->entry == nullptr) return compiled;
  ir::Document document = lower::Lower(*result.program, *result.program->entry, {});
  compiled.yaml = yaml::WriteDocument(document);
  size_t separator = compiled.yaml.find("\n---\n");
  if (separator != std::string::npos) compiled.platform = compiled.yaml.substr(separator + 5);
  return compiled;
}

}  // namespace kfpc::testing
