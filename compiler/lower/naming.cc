#include "compiler/lower/naming.h"

namespace kfpc::lower {

std::string UniqueNames::FirstFree(const std::string& base, int* index,
                                   const std::unordered_set<std::string>* extra) const {
  auto taken = [&](const std::string& name) {
    return Contains(name) || (extra != nullptr && extra->count(name) != 0);
  };
  if (!taken(base)) {
    *index = 0;
    return base;
  }
  auto it = next_index_.find(base);
  int i = it == next_index_.end() ? 2 : it->second;
  std::string candidate = base + "-" + std::to_string(i);
  while (taken(candidate)) {
    ++i;
    candidate = base + "-" + std::to_string(i);
  }
  *index = i;
  return candidate;
}

std::string UniqueNames::Claim(const std::string& base) {
  int index = 0;
  std::string name = FirstFree(base, &index);
  if (index != 0) next_index_[base] = index + 1;
  taken_.insert(name);
  return name;
}

std::string UniqueNames::Peek(const std::string& base) const {
  int index = 0;
  return FirstFree(base, &index);
}

std::string UniqueNames::PeekAvoiding(const std::string& base,
                                      const std::unordered_set<std::string>& extra) const {
  int index = 0;
  return FirstFree(base, &index, &extra);
}

}  // namespace kfpc::lower
