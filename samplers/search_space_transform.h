// Maps a search space to a box that model-based samplers can work in, and back.
//
// Each parameter becomes one coordinate (as Optuna's _gp/search_space does):
// - floats and ints map to [0, 1], log parameters in log space;
// - ints and stepped floats are widened by half a step on both sides, so that every grid point
//   owns an equal share of [0, 1]; values coming back are rounded to the grid;
// - a categorical keeps its choice index (0, 1, ..., n-1) and is flagged, so that a model can
//   compare it by equality (a Hamming kernel term) rather than by distance.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/distribution.h"

namespace hpo {

class SearchSpaceTransform {
 public:
  // Coordinates follow the order of `space` (sorted by name).
  explicit SearchSpaceTransform(const SearchSpace& space);

  size_t n_dims() const { return dims_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  // 0 for a numeric coordinate, the number of choices for a categorical.
  int n_choices(size_t dim) const { return dims_[dim].n_choices; }
  bool is_categorical(size_t dim) const { return dims_[dim].n_choices > 0; }
  // True if the coordinate is rounded on the way back (ints, stepped floats).
  bool is_discrete(size_t dim) const { return dims_[dim].step > 0.0; }

  // Internal value -> coordinate: in [0, 1] for numeric dims, the index for categoricals.
  double to_coordinate(size_t dim, double internal) const;
  // Coordinate -> internal value the distribution can produce: clamped to the box, rounded to
  // the step grid, a valid index for categoricals.
  double from_coordinate(size_t dim, double coordinate) const;

  // Every param of the space, in coordinate order. Throws std::out_of_range if one is missing.
  std::vector<double> to_coordinates(const InternalParams& params) const;
  InternalParams from_coordinates(const std::vector<double>& coordinates) const;
  // A uniform u in [0, 1) -> a coordinate (for categoricals, the index floor(u * n)).
  double coordinate_from_uniform(size_t dim, double u) const;

 private:
  struct Dim {
    int n_choices = 0;   // > 0 for categoricals
    bool log = false;    // lo/hi are logs
    bool is_int = false;
    double lo = 0.0;     // box in (log) value space, widened by half a step when stepped
    double hi = 0.0;
    double low = 0.0;    // the distribution's own bounds and step (0 if continuous)
    double high = 0.0;
    double step = 0.0;
  };
  std::vector<std::string> names_;
  std::vector<Dim> dims_;
};

}  // namespace hpo
