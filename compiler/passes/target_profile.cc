#include "compiler/passes/target_profile.h"

namespace kfpc::passes {

namespace {

// Sizes of the Graviton4 general purpose (m8g), compute (c8g) and memory (r8g, x8g) families,
// with their vCPU counts. Memory per vCPU is fixed within a family: c8g 2 GiB, m8g 4 GiB,
// r8g 8 GiB, x8g 16 GiB (AWS EC2 instance type pages for C8g, M8g, R8g and X8g). Bare metal
// sizes are left out because their vCPU and memory equal the largest virtual size.
struct Size {
  const char* name;
  int64_t vcpus;
};
constexpr Size kGraviton4Sizes[] = {{"medium", 1},   {"large", 2},     {"xlarge", 4},
                                    {"2xlarge", 8},  {"4xlarge", 16},  {"8xlarge", 32},
                                    {"12xlarge", 48}, {"16xlarge", 64}, {"24xlarge", 96},
                                    {"48xlarge", 192}};
struct Family {
  const char* name;
  int64_t gib_per_vcpu;
};
constexpr Family kGraviton4Families[] = {{"c8g", 2}, {"m8g", 4}, {"r8g", 8}, {"x8g", 16}};

TargetProfile Graviton4() {
  TargetProfile profile;
  profile.name = "graviton4";
  profile.architecture = "arm64";
  profile.nvidia_gpus = false;
  for (const Family& family : kGraviton4Families) {
    profile.families.push_back(family.name);
    for (const Size& size : kGraviton4Sizes) {
      profile.instance_types.push_back({std::string(family.name) + "." + size.name, size.vcpus,
                                        size.vcpus * family.gib_per_vcpu * 1024});
    }
  }
  return profile;
}

}  // namespace

const std::vector<std::string>& BuiltinProfileNames() {
  static const std::vector<std::string> kNames = {"graviton4", "arm64", "amd64", "none"};
  return kNames;
}

std::optional<TargetProfile> BuiltinProfile(std::string_view name) {
  if (name == "graviton4") return Graviton4();
  if (name == "arm64" || name == "amd64" || name == "none") {
    TargetProfile profile;
    profile.name = std::string(name);
    if (name != "none") profile.architecture = std::string(name);
    return profile;
  }
  return std::nullopt;
}

}  // namespace kfpc::passes
