// Runs the kfpc language server on stdin and stdout, as `kfpc lsp` will, for the neovim test.

#include <iostream>

#include "compiler/lsp/server.h"

int main() {
  // Lets the server see messages already waiting in the pipe (see RunServer).
  std::ios::sync_with_stdio(false);
  return kfpc::lsp::RunServer(std::cin, std::cout, std::cerr);
}
