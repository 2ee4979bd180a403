#include "samplers/tpe/kept_mass_cache.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace hpo::tpe {

void KeptMassCache::get(uint64_t list_key, const std::vector<ParzenDimension>& dimensions,
                        const std::vector<double>& widths, const Eigen::MatrixXd& observations,
                        const std::vector<int>& keys, KernelMasses& out) {
  const Eigen::Index n = observations.rows();
  std::lock_guard<std::mutex> lock(mutex_);
  List& list = lists_[list_key];
  double drift = 0.0;
  if (list.dimensions == dimensions) {
    for (int j : list.continuous) drift += std::abs(std::log(widths[j] / list.reference_widths[j]));
  }
  if (list.dimensions != dimensions || !(drift <= kMaxDrift)) {
    // New dimensions, or widths too far from the reference: start again at the current widths.
    list.dimensions = dimensions;
    list.reference_widths = widths;
    list.continuous.clear();
    for (size_t j = 0; j < dimensions.size(); ++j) {
      if (dimensions[j].kind == DimensionKind::kContinuous) {
        list.continuous.push_back(static_cast<int>(j));
      }
    }
    list.values.clear();
    list.log_masses.clear();
  }
  const size_t c = list.continuous.size();
  out.widths = list.reference_widths;
  out.log_masses.resize(n);
  // Reuse the masses of keys whose values are the same; gather the others.
  std::vector<Eigen::Index> missing;
  for (Eigen::Index r = 0; r < n; ++r) {
    const size_t key = static_cast<size_t>(keys[r]);
    if (key >= list.log_masses.size()) {
      list.log_masses.resize(key + 1, std::numeric_limits<double>::quiet_NaN());
      list.values.resize((key + 1) * c, std::numeric_limits<double>::quiet_NaN());
    }
    bool same = !std::isnan(list.log_masses[key]);
    for (size_t s = 0; same && s < c; ++s) {
      const double v = observations(r, list.continuous[s]);
      same = std::memcmp(&v, &list.values[key * c + s], sizeof(double)) == 0;
    }
    if (same) {
      out.log_masses(r) = list.log_masses[key];
    } else {
      missing.push_back(r);
    }
  }
  if (missing.empty()) return;
  // A kernel's mass depends on its own centre alone, so computing a few rows gives the bits
  // computing all of them would.
  Eigen::MatrixXd centres(static_cast<Eigen::Index>(missing.size()), observations.cols());
  for (size_t m = 0; m < missing.size(); ++m) {
    centres.row(static_cast<Eigen::Index>(m)) = observations.row(missing[m]);
  }
  Eigen::ArrayXd log_masses;
  ParzenEstimator::continuous_log_masses(dimensions, list.reference_widths, centres, log_masses);
  for (size_t m = 0; m < missing.size(); ++m) {
    const Eigen::Index r = missing[m];
    const size_t key = static_cast<size_t>(keys[r]);
    out.log_masses(r) = log_masses(static_cast<Eigen::Index>(m));
    list.log_masses[key] = out.log_masses(r);
    for (size_t s = 0; s < c; ++s) list.values[key * c + s] = observations(r, list.continuous[s]);
  }
  computed_ += static_cast<int64_t>(missing.size());
}

int64_t KeptMassCache::computed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return computed_;
}

}  // namespace hpo::tpe
