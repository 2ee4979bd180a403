#include "samplers/tpe/truncated_normal.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>

namespace hpo::tpe {
namespace {

constexpr double kInvSqrt2 = 1.0 / std::numbers::sqrt2;
// Past kFar standard deviations on both sides a kernel's truncation loses less than 2e-17 of its
// mass (Q(8.5) < 1e-17), so its log normalizer is 0 to double precision: no erfc needed.
constexpr double kFar = 8.5;
// Grids with more points than this get no per-offset table of cell masses.
constexpr double kMaxTableCells = 1 << 16;

// log of the standard normal upper tail Q(x) = 1 - Phi(x), for x >= 0. erfc underflows past
// x ~ 38, where the asymptotic series is already exact to double precision.
double log_upper_tail(double x) {
  const double z = x * kInvSqrt2;
  if (z < 20.0) return std::log(0.5 * std::erfc(z));
  const double z2 = z * z;
  return std::log(0.5) - z2 - std::log(z * std::sqrt(std::numbers::pi)) +
         std::log1p(-0.5 / z2 + 0.75 / (z2 * z2));
}

double upper_tail(double x) { return 0.5 * std::erfc(x * kInvSqrt2); }

}  // namespace

// A draw of the standard normal truncated to [a, b]. Plain rejection where the interval holds
// the centre, Robert's exponential proposal (Statistics and Computing, 1995) in a tail; both are
// exact. The estimator's widths never exceed the support, so b - a >= 1 and both accept often;
// the cap only guards against degenerate input.
double truncated_standard_normal(std::mt19937_64& rng, double a, double b) {
  constexpr int kMaxTries = 1000;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  if (b <= -0.3) return -truncated_standard_normal(rng, -b, -a);
  if (a < 0.3) {
    std::normal_distribution<double> normal(0.0, 1.0);
    for (int i = 0; i < kMaxTries; ++i) {
      const double z = normal(rng);
      if (z >= a && z <= b) return z;
    }
  } else {
    const double lambda = 0.5 * (a + std::sqrt(a * a + 4.0));
    for (int i = 0; i < kMaxTries; ++i) {
      const double z = a - std::log1p(-uniform(rng)) / lambda;
      if (z > b) continue;
      if (uniform(rng) <= std::exp(-0.5 * (z - lambda) * (z - lambda))) return z;
    }
  }
  return a + (b - a) * uniform(rng);
}

double log_normalizer(double a, double b) {
  return a <= -kFar && b >= kFar ? 0.0 : log_gauss_mass(a, b);
}

CellMassTable::CellMassTable(double low, double high, double step, double sigma)
    : step_(step), inv_sigma_(1.0 / sigma) {
  const double cells = std::round((high - low) / step);
  if (cells <= kMaxTableCells) {
    n_cells_ = static_cast<int>(cells);
    values_.assign(2 * n_cells_ + 1, std::numeric_limits<double>::quiet_NaN());
  }
}

double CellMassTable::get(double x, double mu) {
  if (values_.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double offset = (x - mu) / step_;
  const double rounded = std::round(offset);
  if (std::abs(offset - rounded) > 1e-9 || std::abs(rounded) > n_cells_) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double& v = values_[static_cast<size_t>(rounded + n_cells_)];
  if (std::isnan(v)) {
    v = log_gauss_mass((rounded - 0.5) * step_ * inv_sigma_,
                       (rounded + 0.5) * step_ * inv_sigma_);
  }
  return v;
}

double log_gauss_mass(double a, double b) {
  assert(a <= b);
  if (b <= 0.0) return log_gauss_mass(-b, -a);
  // Plain differences of erfc are exact enough while erfc stays far from underflow (about
  // 1e-16 relative error per unit of 1/(b - a)), and several times cheaper than the log form.
  constexpr double kPlainLimit = 25.0;
  if (a >= 0.0) {
    if (a < kPlainLimit) {
      return std::log(0.5 * (std::erfc(a * kInvSqrt2) - std::erfc(b * kInvSqrt2)));
    }
    // Q(a) - Q(b) = Q(a) (1 - Q(b)/Q(a)), in logs so that far tails keep precision.
    const double la = log_upper_tail(a);
    const double lb = log_upper_tail(b);
    return la + std::log(-std::expm1(lb - la));
  }
  return std::log1p(-upper_tail(-a) - upper_tail(b));
}

}  // namespace hpo::tpe
