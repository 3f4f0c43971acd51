#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
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

int main(int argc, char** argv) {
#ifdef KFPC_MIMALLOC
  // Segments that mimalloc maps from now on ask the kernel for 2 MiB pages (madvise), so a large
  // build takes fewer page faults and TLB misses. Static initializers have run by now, with the
  // few segments they needed.
  mi_option_enable(mi_option_large_os_pages);
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
