#include "compiler/diagnostics/suggest.h"

#include <algorithm>

namespace kfpc::diag {

namespace {

// The optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters each count as one edit, so that `cuont` is one edit from `count`. Returns
// `bound` as soon as the distance is known to be at least `bound`. Keeps three rows of the table,
// which the caller owns so that a scan over many candidates allocates once.
size_t EditDistance(const std::string& a, const std::string& b, size_t bound,
                    std::vector<size_t>& rows) {
  size_t length_gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (length_gap >= bound) return bound;
  size_t width = b.size() + 1;
  rows.assign(3 * width, 0);
  size_t* before = rows.data();          // row i - 2
  size_t* previous = before + width;     // row i - 1
  size_t* current = previous + width;    // row i
  for (size_t j = 0; j < width; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    size_t row_minimum = i;
    for (size_t j = 1; j < width; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        value = std::min(value, before[j - 2] + 1);
      }
      current[j] = value;
      row_minimum = std::min(row_minimum, value);
    }
    // Every later cell is at least the minimum of this row or the row before it (a swap reaches
    // back two rows), so once both reach the bound, the distance has reached it too.
    size_t previous_minimum = *std::min_element(previous, previous + width);
    if (std::min(row_minimum, previous_minimum) >= bound) return bound;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[b.size()], bound);
}

}  // namespace

std::string ClosestName(const std::string& name, const std::vector<std::string>& candidates) {
  // The table costs the product of the two lengths. A name this long is rarely a typo of a
  // shorter one, so it gets no suggestion and costs nothing.
  constexpr size_t kLongestName = 256;
  if (name.size() > kLongestName) return "";
  // A third of the name's length, at least one edit, keeps suggestions plausible.
  size_t limit = std::max<size_t>(1, name.size() / 3);
  const std::string* best = nullptr;
  size_t best_distance = limit + 1;
  std::vector<size_t> rows;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(name, candidate, best_distance, rows);
    if (distance < best_distance) {
      best_distance = distance;
      best = &candidate;
    }
  }
  return best ? *best : "";
}

std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates) {
  std::string closest = ClosestName(name, candidates);
  return closest.empty() ? "" : "did you mean `" + closest + "`";
}

}  // namespace kfpc::diag
