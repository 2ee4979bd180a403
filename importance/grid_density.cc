// Parzen estimators on a 1-D grid and the Pearson divergence, for PED-ANOVA.
#include "importance/grid_density.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace hpo {
namespace {

// Keeps ~90% of a kernel's mass (+-1.64 sd) within the half-cell around its centre: narrower
// kernels would make the mass of a point depend on floating-point noise in the CDF.
constexpr double kMinBandwidth = 0.5 / 1.64;
// Added to every mass before dividing: a point no trial reached still compares finitely.
constexpr double kMassFloor = 1e-12;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Adds weight * (a Gaussian kernel at `mu` with sd `sigma`, discretized to points 0..n-1 and
// renormalized to them) to `pmf`.
void add_kernel(std::vector<double>& pmf, double mu, double sigma, double weight) {
  const size_t n = pmf.size();
  std::vector<double> mass(n);
  double total = 0.0;
  for (size_t k = 0; k < n; ++k) {
    const double x = static_cast<double>(k);
    mass[k] = normal_cdf((x + 0.5 - mu) / sigma) - normal_cdf((x - 0.5 - mu) / sigma);
    total += mass[k];
  }
  // mu lies on the grid and sigma >= kMinBandwidth, so the kernel's own cell has mass > 0.
  assert(total > 0.0);
  for (size_t k = 0; k < n; ++k) pmf[k] += weight * mass[k] / total;
}

void normalize(std::vector<double>& pmf) {
  const double total = std::accumulate(pmf.begin(), pmf.end(), 0.0);
  for (double& p : pmf) p /= total;
}

// Scott's rule (Scott 1992, "Multivariate Density Estimation"), with the robust spread
// min(sd, IQR / 1.34). TPE's own bandwidth is too wide for telling distributions apart.
double scott_bandwidth(const std::vector<double>& counts, double n) {
  double mean = 0.0;
  for (size_t k = 0; k < counts.size(); ++k) mean += static_cast<double>(k) * counts[k];
  mean /= n;
  double ss = 0.0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const double d = static_cast<double>(k) - mean;
    ss += d * d * counts[k];
  }
  const double sd = std::sqrt(ss / std::max(1.0, n - 1.0));

  // Lower quartile: the first point where the cumulative count reaches n/4; upper: the first
  // where it exceeds 3n/4.
  const double q25_count = std::floor(n / 4.0);
  const double q75_count = std::floor(3.0 * n / 4.0);
  double cumulative = 0.0;
  double q25 = -1.0;
  double q75 = -1.0;
  double last_non_empty = 0.0;
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] <= 0.0) continue;
    cumulative += counts[k];
    last_non_empty = static_cast<double>(k);
    if (q25 < 0.0 && cumulative >= q25_count) q25 = static_cast<double>(k);
    if (q75 < 0.0 && cumulative > q75_count) q75 = static_cast<double>(k);
  }
  if (q75 < 0.0) q75 = last_non_empty;
  const double iqr = q75 - q25;
  return std::max(1.059 * std::min(iqr / 1.34, sd) * std::pow(n, -0.2), kMinBandwidth);
}

}  // namespace

std::vector<double> smoothed_ordinal_pmf(const std::vector<double>& counts, double prior_weight) {
  const size_t n_points = counts.size();
  std::vector<double> pmf(n_points, 0.0);
  const double n = std::accumulate(counts.begin(), counts.end(), 0.0);
  if (n > 0.0) {
    const double sigma = scott_bandwidth(counts, n);
    for (size_t k = 0; k < n_points; ++k) {
      if (counts[k] > 0.0) add_kernel(pmf, static_cast<double>(k), sigma, counts[k]);
    }
  }
  // The prior keeps every point possible, so that a few trials do not claim certainty.
  const double width = static_cast<double>(n_points);
  add_kernel(pmf, 0.5 * (width - 1.0), width, prior_weight);
  normalize(pmf);
  return pmf;
}

std::vector<double> smoothed_categorical_pmf(const std::vector<double>& counts,
                                             double prior_weight) {
  const size_t n_choices = counts.size();
  const double n_kernels =
      1.0 + static_cast<double>(std::count_if(counts.begin(), counts.end(),
                                              [](double c) { return c > 0.0; }));
  const double spread = prior_weight / n_kernels;
  const double kernel_total = 1.0 + spread * static_cast<double>(n_choices);
  std::vector<double> pmf(n_choices, 0.0);
  double total_count = 0.0;
  for (size_t c = 0; c < n_choices; ++c) {
    if (counts[c] <= 0.0) continue;
    total_count += counts[c];
    // The kernel of choice c: (1 on c, plus `spread` on every choice) / kernel_total.
    pmf[c] += counts[c] / kernel_total;
  }
  const double uniform = 1.0 / static_cast<double>(n_choices);
  for (size_t c = 0; c < n_choices; ++c) {
    pmf[c] += total_count * spread / kernel_total + prior_weight * uniform;
  }
  normalize(pmf);
  return pmf;
}

double pearson_divergence(const std::vector<double>& top, const std::vector<double>& region) {
  assert(top.size() == region.size());
  double divergence = 0.0;
  for (size_t k = 0; k < top.size(); ++k) {
    const double p = top[k] + kMassFloor;
    const double q = region[k] + kMassFloor;
    const double ratio = p / q - 1.0;
    divergence += q * ratio * ratio;
  }
  return divergence;
}

}  // namespace hpo
