// Fuzz target: framed LSP messages (`Content-Length` headers and JSON bodies) through the
// language server. Output is discarded; the server must neither crash nor hang on any bytes.
//
// It runs the same Server as `kfpc lsp` (compiler/lsp/server.h RunServer) but with no debounce
// delay, which would only make every run sleep.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "compiler/lsp/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  std::ostringstream log;
  kfpc::lsp::ServerOptions options;
  options.debounce = std::chrono::milliseconds(0);
  // Small enough that the size check runs often, large enough for any seed.
  options.max_message_bytes = 1 << 20;
  kfpc::lsp::Server(out, log, options).Run(in);
  return 0;
}
