// One dimension of a Parzen estimator's space, in the "transformed" coordinates the sampler maps
// each parameter to (log params in log space, grids widened by half a step on each side).
#pragma once

#include <cmath>

namespace hpo::tpe {

enum class DimensionKind { kContinuous, kDiscrete, kCategorical };

// One dimension of the estimator's space.
struct ParzenDimension {
  DimensionKind kind = DimensionKind::kContinuous;
  // Numerical dimensions: the support [low, high] in the transformed space. A discrete dimension
  // has points low + step/2, low + 3*step/2, ..., high - step/2, each owning the mass of its
  // cell of width `step`.
  double low = 0.0;
  double high = 1.0;
  double step = 0.0;   // discrete only
  int n_choices = 0;   // categorical only; values are choice indices 0..n_choices-1

  bool operator==(const ParzenDimension&) const = default;

  double midpoint() const { return 0.5 * (low + high); }
  // Discrete only: the number of grid cells.
  double n_cells() const { return std::round((high - low) / step); }

  // Discrete only: the index of the grid cell whose centre is x (low + step/2 is cell 0), or -1
  // if x is no cell centre inside the support.
  int cell_of(double x) const { return cell_of(x, n_cells()); }

  // The same with the number of cells, std::round((high - low) / step), already known: for
  // loops over many values.
  int cell_of(double x, double n_cells) const {
    const double cell = (x - low) / step - 0.5;
    // Rounds to the nearest integer without a libm call: adding and subtracting 1.5 * 2^52 rounds
    // to even, which differs from std::round only at halves, and those are no cell centres.
    constexpr double kRound = 6755399441055744.0;
    if (!(std::abs(cell) < 0x1p51)) return -1;  // also NaN
    const double rounded = (cell + kRound) - kRound;
    if (std::abs(cell - rounded) > 1e-9 || rounded < 0 || rounded >= n_cells) return -1;
    return static_cast<int>(rounded);
  }
};

}  // namespace hpo::tpe
