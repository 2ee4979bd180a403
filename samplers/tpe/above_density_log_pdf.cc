// AboveDensity's log densities (the updates are in above_density.cc): continuous through the
// box sums plus the kernels summed directly, discrete and categorical from the tallies.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "samplers/tpe/above_density.h"
#include "samplers/tpe/exp_lanes.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

// A kernel more than sqrt(2 * 50) = 10 widths from x adds less than e^-50 of its weight times
// its coefficient, and the prior (always within half its width of x) at least e^-0.5 of its own:
// 10,000 such kernels change the sum by less than 1e-15 relative (for prior_weight 1, with
// coefficients at most ~140 times the prior's), so they are left out of the direct sums.
constexpr double kNegligibleNats = 50.0;
// Farther than this many floor widths, a discrete kernel's cell mass is below e^-72 of its peak.
constexpr double kCellReach = 12.0;

// The summed weight of a cell's tallied kernels under `weight` (a Ramp).
template <class Tally, class Ramp>
double tallied_weight(const Tally& t, const Ramp& weight) {
  if (t.n_ramp == 0 && t.n_flat == 0) return 0.0;
  return weight.alpha * static_cast<double>(t.n_ramp) +
         weight.beta * static_cast<double>(t.rank_sum) + static_cast<double>(t.n_flat);
}

// sum_p w[p] exp(-z^2 / 2), z = (x - mu[p]) * inv[p], over p < n (a multiple of 4), leaving out
// the terms past kNegligibleNats. Two forms, portable and AVX2, with the same bits (as
// exp_lanes.h), chosen at run time.
[[gnu::always_inline]] inline double direct_sum_body(double x, const double* mu,
                                                     const double* inv, const double* w,
                                                     size_t n) {
  using lanes::V4d;
  using lanes::V4i;
  V4d sum = {0.0, 0.0, 0.0, 0.0};
  for (size_t p = 0; p < n; p += 4) {
    V4d m, s, c;
    std::memcpy(&m, mu + p, sizeof(m));
    std::memcpy(&s, inv + p, sizeof(s));
    std::memcpy(&c, w + p, sizeof(c));
    const V4d z = (x - m) * s;
    const V4d half_z2 = 0.5 * z * z;
    const V4i kept = !(half_z2 > kNegligibleNats);  // a NaN stays in, as NaN
    V4d e = -half_z2;
    lanes::exp_nonpositive_in_place<V4d, V4i>(e);
    sum += (V4d)((V4i)(c * e) & kept);
  }
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

double direct_sum_portable(double x, const double* mu, const double* inv, const double* w,
                           size_t n) {
  return direct_sum_body(x, mu, inv, w, n);
}

__attribute__((target("avx2"))) double direct_sum_avx2(double x, const double* mu,
                                                       const double* inv, const double* w,
                                                       size_t n) {
  return direct_sum_body(x, mu, inv, w, n);
}

using DirectSum = double (*)(double, const double*, const double*, const double*, size_t);

DirectSum best_direct_sum() {
  static const DirectSum best =
      lanes::has_avx2() ? direct_sum_avx2 : direct_sum_portable;
  return best;
}

}  // namespace

void AboveDensity::log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const {
  const Eigen::Index n = samples.rows();
  out.resize(n);
  const double log_total = std::log(total_weight());
  const Ramp weight = ramp();
  if (categorical()) {
    std::vector<double> by_choice(dim_.n_choices, 0.0);
    double observed = 0.0;
    for (int c = 0; c < dim_.n_choices; ++c) {
      by_choice[static_cast<size_t>(c)] = tallied_weight(tallies_[static_cast<size_t>(c)], weight);
      observed += by_choice[static_cast<size_t>(c)];
    }
    const double s = options_.prior_weight / (n_members_ + 1.0);
    const double c = dim_.n_choices;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double p = (s * observed + by_choice[static_cast<size_t>(samples(i, 0))]) /
                           (1.0 + c * s) +
                       options_.prior_weight / c;
      out(i) = std::log(p) - log_total;
    }
    return;
  }
  if (continuous()) {
    Eigen::VectorXd boxed = Eigen::VectorXd::Zero(n);
    if (boxes_ && boxes_->size() > 0) {
      // Weights alpha + beta * rank: the boxes' sum and the rank array beside them.
      const GaussianBoxSum::Extra ranks{rank_hi_.data(), weight.beta};
      boxes_->evaluate(samples.col(0).data(), static_cast<int>(n), &weight.alpha, boxed.data(),
                       &ranks, 1);
    }
    // The direct kernels side by side, four lanes at a time through the lanes' exp (padded to
    // a multiple of four with kernels of weight 0).
    const size_t n_direct = direct_.size();
    const size_t n_padded = (n_direct + 3) / 4 * 4;
    std::vector<double> mus(n_padded, 0.0), inv_sigmas(n_padded, 0.0), scaled(n_padded, 0.0);
    for (size_t p = 0; p < n_direct; ++p) {
      const Kernel& k = kernels_[direct_[p]];
      mus[p] = k.mu;
      inv_sigmas[p] = 1.0 / k.sigma;
      scaled[p] = (k.number < 0 ? options_.prior_weight : weight(rank_of(k))) * k.coef;
    }
    const DirectSum direct_sum = best_direct_sum();
    for (Eigen::Index i = 0; i < n; ++i) {
      const double direct = direct_sum(samples(i, 0), mus.data(), inv_sigmas.data(),
                                       scaled.data(), n_padded);
      out(i) = std::log(boxed(i) + direct) - log_total - std::log(scale_);
    }
    return;
  }
  // Discrete: kernels of the floor width on the grid add up by cell; the rest one by one.
  const double floor = last_floor_;
  const int n_cells = this->n_cells();
  std::vector<double> by_cell(static_cast<size_t>(n_cells), 0.0);
  for (int c = 0; c < n_cells; ++c) {
    const CellTally& t = tallies_[static_cast<size_t>(c)];
    by_cell[static_cast<size_t>(c)] = t.coef * tallied_weight(t, weight);
  }
  const std::vector<int>& others = direct_;
  // Cell masses by offset, for the floor width: kept across calls until the floor moves.
  const int reach = static_cast<int>(std::ceil(kCellReach * floor / dim_.step)) + 1;
  if (!cell_masses_ || cell_masses_floor_ != floor) {
    cell_masses_.emplace(dim_.low, dim_.high, dim_.step, floor);
    cell_masses_floor_ = floor;
    mass_by_offset_.assign(2 * static_cast<size_t>(reach) + 1,
                           std::numeric_limits<double>::quiet_NaN());
  }
  CellMassTable& table = *cell_masses_;
  std::vector<double>& mass_by_offset = mass_by_offset_;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x = samples(i, 0);
    const int x_cell = dim_.cell_of(x);
    double sum = 0.0;
    const double lo = std::max(x - 0.5 * dim_.step, dim_.low);
    const double hi = std::min(x + 0.5 * dim_.step, dim_.high);
    auto direct = [&](const Kernel& k, double w) {
      sum += w * k.coef * std::exp(log_gauss_mass((lo - k.mu) / k.sigma, (hi - k.mu) / k.sigma));
    };
    for (int slot : others) {
      const Kernel& k = kernels_[slot];
      direct(k, k.number < 0 ? options_.prior_weight : weight(rank_of(k)));
    }
    bool by_table = x_cell >= 0;
    for (int offset = -reach; by_table && offset <= reach; ++offset) {
      const int cell = x_cell - offset;
      if (cell < 0 || cell >= n_cells || by_cell[static_cast<size_t>(cell)] == 0.0) continue;
      double& m = mass_by_offset[static_cast<size_t>(offset + reach)];
      if (std::isnan(m)) {
        const double log_mass = table.get_by_offset(offset);
        if (std::isnan(log_mass)) {
          by_table = false;
          break;
        }
        m = std::exp(log_mass);
      }
      sum += by_cell[static_cast<size_t>(cell)] * m;
    }
    if (!by_table) {
      // Off the grid, or a grid too fine for the table: every kernel one by one.
      sum = 0.0;
      for (const Kernel& k : kernels_) {
        if (k.alive) direct(k, k.number < 0 ? options_.prior_weight : weight(rank_of(k)));
      }
    }
    out(i) = std::log(sum) - log_total - std::log(scale_);
  }
}

}  // namespace hpo::tpe
