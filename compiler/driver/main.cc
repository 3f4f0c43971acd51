#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/driver/driver.h"

#ifdef KFPC_MIMALLOC
#include <mimalloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define KFPC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KFPC_SANITIZED 1
#endif
#endif

namespace {

// Reports a failed allocation and exits with status 2. Without it, a build with glibc's malloc
// ended in "terminate called after throwing std::bad_alloc", and one with mimalloc in an abort
// with no message. It writes with write(2), because nothing may allocate here, and exits without
// flushing, so that no partial YAML reaches standard output. Output files are written through a
// temporary file, so an existing one is left as it was.
[[noreturn]] void ExitOutOfMemory() {
  static constexpr char kMessage[] =
      "kfpc: error: out of memory\n"
      "help: give the process more memory (see `ulimit -v` and the container's memory limit)\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  std::_Exit(kfpc::driver::kExitUsageOrIo);
}

// Installs ExitOutOfMemory before the static initializers of the other files run (priority 101
// comes before the default), because the parser's tables allocate while they are built.
__attribute__((constructor(101))) void InstallOutOfMemoryHandler() {
  std::set_new_handler(ExitOutOfMemory);
#ifdef KFPC_MIMALLOC
  // mimalloc's operator new (Debian's 2.0.9) does not call the C++ runtime's new handler. It
  // passes ENOMEM to the error function registered here and then aborts. EOVERFLOW is a size
  // that does not fit in size_t, which glibc's operator new also reports as std::bad_alloc.
  mi_register_error(
      [](int error, void*) {
        if (error == ENOMEM || error == EOVERFLOW) ExitOutOfMemory();
      },
      nullptr);
#endif
}

}  // namespace

int main(int argc, char** argv) {
#ifdef KFPC_MIMALLOC
  // Segments that mimalloc maps from now on ask the kernel for 2 MiB pages (madvise), so a large
  // build takes fewer page faults and TLB misses. Static initializers have run by now, with the
  // few segments they needed. The language server runs for hours and would keep the huge pages
  // of a large file after it is closed, so it does without them. MIMALLOC_LARGE_OS_PAGES in the
  // environment, which mimalloc reads itself, takes precedence.
  bool language_server = argc > 1 && std::string_view(argv[1]) == "lsp";
  if (!language_server && std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) {
    mi_option_enable(mi_option_large_os_pages);
  }
#endif
  int status;
  {
    std::vector<std::string> args(argv, argv + argc);
    status = kfpc::driver::Run(args, std::cout, std::cerr);
  }
#ifdef KFPC_SANITIZED
  return status;
#else
  // Leaves without running the destructors of static objects, ANTLR's parser tables and caches
  // above all. Freeing them took about 5% of the instructions of a two-task build, and the
  // system frees the memory anyway. Run has written and closed every file, so only the standard
  // streams may hold buffered output. Sanitizer builds return normally, so that LeakSanitizer
  // still checks for leaks at exit.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
#endif
}
