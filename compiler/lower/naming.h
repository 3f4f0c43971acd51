#pragma once

// Names in the IR: the SDK's Kubernetes-safe sanitizing and its `-2`, `-3` de-duplication.

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "compiler/sema/program.h"

namespace kfpc::lower {

using sema::SanitizeK8sName;

// A growing set of names that hands out unique ones the way the SDK's
// make_name_unique_by_adding_index does: `base` if free, else the first free `base-2`, `base-3`...
// The next index to try is remembered per base; names are never removed, so indices below it
// stay taken and each claim costs amortized constant time.
class UniqueNames {
 public:
  // Returns `base` or its first free indexed form, and records the result as taken.
  std::string Claim(const std::string& base);
  // Returns what Claim would return, without recording it.
  std::string Peek(const std::string& base) const;
  // Returns what Peek would return if `extra` were taken too.
  std::string PeekAvoiding(const std::string& base,
                           const std::unordered_set<std::string>& extra) const;
  // Records `name` as taken.
  void Add(const std::string& name) { taken_.insert(name); }
  bool Contains(const std::string& name) const { return taken_.count(name) != 0; }

 private:
  std::string FirstFree(const std::string& base, int* index,
                        const std::unordered_set<std::string>* extra = nullptr) const;

  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, int> next_index_;
};

}  // namespace kfpc::lower
