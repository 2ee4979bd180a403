#include "samplers/tpe/truncated_normal.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "samplers/tpe/tail_table.h"

namespace hpo::tpe {
namespace {

constexpr double kInvSqrt2 = 1.0 / std::numbers::sqrt2;
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

TailTable::TailTable() {
  for (int i = 0; i < kTailPoints; ++i) {
    const double x = static_cast<double>(i) / kTailPointsPerUnit;
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
    // Q^(k)(x) = (-1)^k He_{k-1}(x) phi(x) for k >= 1 (probabilists' Hermite polynomials,
    // He_{k+1} = x He_k - k He_{k-1}); coefficient k is Q^(k)(x) / k!.
    coefficients[i][0] = upper_tail(x);
    double he_prev = 0.0, he = 1.0;  // He_{-1} (unused), He_0
    double factorial = 1.0;
    for (int k = 1; k <= kTailDegree; ++k) {
      factorial *= k;
      const double sign = k % 2 == 0 ? 1.0 : -1.0;
      coefficients[i][k] = sign * he * density / factorial;
      const double next = x * he - (k - 1) * he_prev;
      he_prev = he;
      he = next;
    }
    coefficients[i][kTailDegree + 1] = 0.0;  // padding
  }
}

const TailTable& tail_table() {
  static const TailTable table;
  return table;
}

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

namespace {

// The mass a kernel keeps inside [a, b] (standard units) as 1 - Q(-a) - Q(b), for a kernel
// centred inside (a <= 0 <= b) and keeping at least a hundredth of its mass; nothing otherwise,
// and the caller takes the exact form. The log of the rounded result errs by at most
// 1.1e-16 / kept, below 1.1e-14. A kernel at most as wide as its support and centred in it keeps
// a third, so this is the common path.
inline std::optional<double> kept_mass(const TailTable& table, double a, double b) {
  if (a <= -kFar && b >= kFar) return 1.0;
  if (a > 0.0 || b < 0.0) return std::nullopt;
  const double lost = tabulated_tail(table, -a) + tabulated_tail(table, b);
  if (lost >= 0.99) return std::nullopt;
  return 1.0 - lost;
}

}  // namespace

double normal_upper_tail(double x) {
  assert(x >= 0.0);
  return tabulated_tail(tail_table(), x);
}

void log_width_times_mass(const Eigen::ArrayXd& mus, const Eigen::ArrayXd& sigmas, double low,
                          double high, Eigen::ArrayXd& out) {
  const Eigen::Index n = mus.size();
  const TailTable& table = tail_table();
  Eigen::ArrayXd product(n);
  std::vector<Eigen::Index> exact;  // kernels centred outside, or with under 1% of their mass
  const Eigen::ArrayXd inv = sigmas.inverse();  // one vectorized division for all kernels
  for (Eigen::Index k = 0; k < n; ++k) {
    const std::optional<double> kept =
        kept_mass(table, (low - mus(k)) * inv(k), (high - mus(k)) * inv(k));
    product(k) = sigmas(k) * kept.value_or(1.0);
    if (!kept) exact.push_back(k);
  }
  out = product.log();
  for (Eigen::Index k : exact) {
    out(k) = std::log(sigmas(k)) +
             log_gauss_mass((low - mus(k)) / sigmas(k), (high - mus(k)) / sigmas(k));
  }
}

double log_normalizer(double a, double b) {
  if (a <= -kFar && b >= kFar) return 0.0;  // exactly, without a log
  const std::optional<double> kept = kept_mass(tail_table(), a, b);
  return kept ? std::log(*kept) : log_gauss_mass(a, b);
}

CellMassTable::CellMassTable(double low, double high, double step, double sigma)
    : step_(step), inv_sigma_(1.0 / sigma) {
  const double cells = std::round((high - low) / step);
  if (cells <= kMaxTableCells) {
    n_cells_ = static_cast<int>(cells);
    values_.assign(2 * n_cells_ + 1, std::numeric_limits<double>::quiet_NaN());
  }
}

double CellMassTable::compute(int offset) const {
  return log_gauss_mass((offset - 0.5) * step_ * inv_sigma_, (offset + 0.5) * step_ * inv_sigma_);
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
