// Fuzz target: `.kf` text through parse, check, lowering and the YAML writer, all in memory.
// It first lexes and parses the text with kfpc's lexer and parser and with the generated ones and
// aborts when the tokens, the trees or the syntax diagnostics differ, or when the hand-written
// parser gives up on text that the generated parser reads without a diagnostic.
// The input is the root file `/project/main.kf`; its imports are served from a fixed map of
// in-memory files, so the fuzzer can reach the import code without touching the disk.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "compiler/check/check.h"
#include "compiler/lower/lower.h"
#include "compiler/parse/lexer_check.h"
#include "compiler/parse/parser_check.h"
#include "runtime/yaml/ir_to_yaml.h"

namespace {

const std::map<std::string, std::string>& ImportedFiles() {
  static const std::map<std::string, std::string> files = {
      {"/project/lib.kf",
       "artifact Model\n"
       "component train(data: string, epochs: int = 3) -> (model: Model) {\n"
       "  image = \"python:3.11\"\n"
       "  command = [\"train\", data, \"{epochs}\", model.path]\n"
       "}\n"},
      {"/project/sub/util.kf",
       "import \"../lib.kf\"\n"
       "component echo(message: string) {\n"
       "  image = \"alpine:3.19\"\n"
       "  command = [\"echo\", message]\n"
       "}\n"},
      {"/project/cycle.kf", "import \"main.kf\"\n"},
  };
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kfpc;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (std::optional<std::string> difference = parse::CompareWithGeneratedLexer(text)) {
    std::fprintf(stderr, "lexers differ: %s\n", difference->c_str());
    std::abort();
  }
  parse::ParserComparison comparison = parse::CompareWithGeneratedParser(text);
  if (comparison.difference) {
    std::fprintf(stderr, "parsers differ: %s\n", comparison.difference->c_str());
    std::abort();
  }
  if (comparison.clean && !comparison.parsed_directly) {
    std::fprintf(stderr,
                 "the generated parser reported nothing, but the hand-written one gave up\n");
    std::abort();
  }
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId root =
      sources.AddFile("/project/main.kf", std::string(text));
  check::FileLoader loader = [](const std::string& path) -> std::optional<std::string> {
    auto it = ImportedFiles().find(path);
    if (it == ImportedFiles().end()) return std::nullopt;
    return it->second;
  };
  check::CheckResult result = check::Check(sources, root, loader, sink);
  // Rendering is part of every run of kfpc, and spans near the end of a file are easy to get wrong.
  (void)diag::RenderAll(sources, sink.diagnostics());
  if (sink.has_errors() || result.program->entry == nullptr) return 0;
  lower::LowerOptions options;
  options.kfpc_version = "fuzz";
  (void)yaml::WriteDocument(lower::Lower(*result.program, *result.program->entry, options));
  return 0;
}
