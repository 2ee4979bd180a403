// Exhaustive search over a given grid, in random order (Optuna's GridSampler).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sampler.h"

namespace hpo {

// Parameter name -> the values to try, in order.
using GridSpace = std::map<std::string, std::vector<ParamValue>, std::less<>>;

// Each trial takes a grid point that no finished or running trial has taken (chosen at random
// among them, so that workers rarely collide), and records it in the trial's system attributes
// "grid_id" and "search_space", where other workers and processes see it. When every point has
// been evaluated the sampler stops the study. Once the grid is spent, further trials (from
// other workers racing for the last points) re-evaluate a random point.
//
// Throws std::invalid_argument from the constructor for an empty grid or a param with no values,
// and from sample_independent for a param that is not in the grid.
class GridSampler final : public Sampler {
 public:
  explicit GridSampler(GridSpace space, std::optional<uint64_t> seed = {});

  SearchSpace infer_relative_search_space(const StudyView&, const FrozenTrial&) override {
    return {};
  }
  // Picks the trial's grid point (writes system attributes; returns no params).
  InternalParams sample_relative(const StudyView& study, const FrozenTrial& trial,
                                 const SearchSpace& space) override;
  double sample_independent(const StudyView& study, const FrozenTrial& trial,
                            std::string_view name, const Distribution& distribution) override;
  void after_trial(const StudyView& study, const FrozenTrial& trial, TrialState state,
                   const std::vector<double>& values) override;
  void reseed(uint64_t seed) override { seed_ = seed; }

  size_t grid_size() const { return n_points_; }

 private:
  std::vector<int64_t> unvisited_points(const StudyView& study) const;
  // The value of param `index` (in sorted name order) at grid point `point`.
  const ParamValue& value_at(int64_t point, size_t index) const;

  GridSpace space_;
  nlohmann::json space_json_;  // as recorded in each trial's system_attrs["search_space"]
  std::vector<std::string> names_;
  size_t n_points_ = 1;
  std::atomic<uint64_t> seed_;
};

}  // namespace hpo
