// Spelling suggestions for unknown names, shared by the checker and the project config reader.

#pragma once

#include <string>
#include <vector>

namespace kfpc::diag {

// Returns the candidate closest to `name` by edit distance, or an empty string when none is close
// enough to suggest.
std::string ClosestName(const std::string& name, const std::vector<std::string>& candidates);

// Returns "did you mean `x`" for the candidate closest to `name` by edit distance, or an empty
// string when none is close enough.
std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace kfpc::diag
