// Intersection search space over finished trials.
#include "core/search_space.h"

namespace hpo {

SearchSpace intersection_search_space(const Trials& trials) {
  if (trials.empty()) return {};
  SearchSpace space = trials.front()->distributions;
  for (size_t i = 1; i < trials.size() && !space.empty(); ++i) {
    const Distributions& other = trials[i]->distributions;
    for (auto it = space.begin(); it != space.end();) {
      auto found = other.find(it->first);
      if (found == other.end() || !(found->second == it->second)) {
        it = space.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::erase_if(space, [](const auto& entry) { return is_single(entry.second); });
  return space;
}

}  // namespace hpo
