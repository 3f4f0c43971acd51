// Fuzz target: the project config reader (compiler/passes/project_config.h ParseProjectConfig).

#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/passes/project_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kfpc;
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId file =
      sources.AddFile("kfpc.yaml", std::string(reinterpret_cast<const char*>(data), size));
  passes::ProjectConfig config;
  passes::ParseProjectConfig(sources, file, sink, &config);
  (void)diag::RenderAll(sources, sink.diagnostics());
  return 0;
}
