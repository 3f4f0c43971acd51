#include <iostream>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return kfpc::driver::Run(args, std::cout, std::cerr);
}
