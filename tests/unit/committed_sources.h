#pragma once

// The inputs that tests/unit/lexer_test.cc and tests/unit/direct_parser_test.cc run through both
// kfpc's and the generated implementation.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kfpc::testing {

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Every `.kf` file under examples/ and tests/, and every seed and regression input of the compile
// fuzz target, whatever its name.
inline std::vector<std::filesystem::path> CommittedSources() {
  const std::filesystem::path root = KFPC_SOURCE_DIR;
  std::vector<std::filesystem::path> paths;
  for (const char* dir : {"examples", "tests", "fuzz/seeds/compile", "fuzz/regressions/compile"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (!entry.is_regular_file()) continue;
      bool seed = entry.path().string().find("/fuzz/") != std::string::npos;
      if (seed || entry.path().extension() == ".kf") paths.push_back(entry.path());
    }
  }
  return paths;
}

}  // namespace kfpc::testing
