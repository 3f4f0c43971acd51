// Fuzz target: the `kfpc.lock` reader (compiler/images/lock_file.h ParseLockFile). A file it
// accepts must serialize and parse back to the same lock.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compiler/images/lock_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kfpc;
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId file =
      sources.AddFile("kfpc.lock", std::string(reinterpret_cast<const char*>(data), size));
  images::LockFile lock;
  if (!images::ParseLockFile(sources, file, sink, &lock)) {
    (void)diag::RenderAll(sources, sink.diagnostics());
    return 0;
  }
  // The canonical text of an accepted lock must read back to the same lock.
  diag::FileId again = sources.AddFile("again.lock", images::SerializeLockFile(lock));
  images::LockFile reread;
  if (!images::ParseLockFile(sources, again, sink, &reread) || !(reread == lock)) std::abort();
  return 0;
}
