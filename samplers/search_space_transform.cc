// SearchSpaceTransform: distributions <-> a box of coordinates.
#include "samplers/search_space_transform.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace hpo {

SearchSpaceTransform::SearchSpaceTransform(const SearchSpace& space) {
  for (const auto& [name, dist] : space) {
    Dim d;
    std::visit(
        [&d](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, CategoricalDistribution>) {
            d.n_choices = static_cast<int>(x.choices.size());
          } else {
            d.low = static_cast<double>(x.low);
            d.high = static_cast<double>(x.high);
            d.log = x.log;
            if constexpr (std::is_same_v<T, IntDistribution>) {
              d.is_int = true;
              d.step = static_cast<double>(x.step);
            } else {
              d.step = x.step.value_or(0.0);
            }
            // Half a step on each side gives the end points of the grid as much room as
            // the inner ones.
            const double half = 0.5 * d.step;
            d.lo = d.low - half;
            d.hi = d.high + half;
            if (d.log) {
              d.lo = std::log(d.lo);
              d.hi = std::log(d.hi);
            }
          }
        },
        dist);
    names_.push_back(name);
    dims_.push_back(d);
  }
}

double SearchSpaceTransform::to_coordinate(size_t dim, double internal) const {
  const Dim& d = dims_[dim];
  if (d.n_choices > 0) return internal;
  if (d.hi <= d.lo) return 0.5;
  const double v = d.log ? std::log(internal) : internal;
  return std::clamp((v - d.lo) / (d.hi - d.lo), 0.0, 1.0);
}

double SearchSpaceTransform::from_coordinate(size_t dim, double coordinate) const {
  const Dim& d = dims_[dim];
  if (d.n_choices > 0) {
    return std::clamp(std::round(coordinate), 0.0, static_cast<double>(d.n_choices - 1));
  }
  double v = d.lo + std::clamp(coordinate, 0.0, 1.0) * (d.hi - d.lo);
  if (d.log) v = std::exp(v);
  if (d.step > 0.0) {
    v = d.low + std::round((v - d.low) / d.step) * d.step;
    if (d.is_int) v = std::round(v);
  }
  return std::clamp(v, d.low, d.high);
}

std::vector<double> SearchSpaceTransform::to_coordinates(const InternalParams& params) const {
  std::vector<double> out(dims_.size());
  for (size_t i = 0; i < dims_.size(); ++i) {
    auto it = params.find(names_[i]);
    if (it == params.end()) throw std::out_of_range("missing param '" + names_[i] + "'");
    out[i] = to_coordinate(i, it->second);
  }
  return out;
}

InternalParams SearchSpaceTransform::from_coordinates(const std::vector<double>& coordinates) const {
  InternalParams out;
  for (size_t i = 0; i < dims_.size(); ++i) out[names_[i]] = from_coordinate(i, coordinates[i]);
  return out;
}

double SearchSpaceTransform::coordinate_from_uniform(size_t dim, double u) const {
  const Dim& d = dims_[dim];
  if (d.n_choices > 0) {
    return std::min(std::floor(u * d.n_choices), static_cast<double>(d.n_choices - 1));
  }
  return u;
}

}  // namespace hpo
