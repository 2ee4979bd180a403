// Standard normal masses and draws for truncated Gaussian kernels: log(Phi(b) - Phi(a)) accurate
// in both tails, the truncation normalizer of a kernel, draws from a truncated standard normal,
// and the shared table of grid-cell masses of discrete kernels.
#pragma once

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Core>

namespace hpo::tpe {

// log(Phi(b) - Phi(a)) for a < b, where Phi is the standard normal CDF; accurate in both tails.
double log_gauss_mass(double a, double b);

// The standard normal upper tail Q(x) = 1 - Phi(x) for x >= 0, to an absolute error below
// 3e-16, a few ulps (0 past x = 8.5, where Q < 1e-17): a degree-6 Taylor expansion around the nearest point
// of a table built once from erfc, several times cheaper than erfc itself. Absolute accuracy is
// what a truncation normalizer 1 - Q(-a) - Q(b) needs.
double normal_upper_tail(double x);

// log_gauss_mass(a, b) of a kernel's support in standard units, for a kernel centred inside its
// support (a <= 0 <= b) computed as log(1 - Q(-a) - Q(b)) with normal_upper_tail, to an absolute
// error below 1e-15; exactly 0 when both bounds lie more than 8.5 standard deviations away (the
// mass lost is below 2e-17).
double log_normalizer(double a, double b);

// out(k) = log(sigma_k) + log_normalizer((low - mu_k) / sigma_k, (high - mu_k) / sigma_k): the
// log of a continuous kernel's width times its mass inside [low, high], one log per kernel taken
// in a single vectorized pass.
void log_width_times_mass(const Eigen::ArrayXd& mus, const Eigen::ArrayXd& sigmas, double low,
                          double high, Eigen::ArrayXd& out);

// Kernels of one width `sigma` centred at mus[0..n) inside [low, high] (multivariate TPE): the
// sum of log_normalizer over several dimensions as one log per kernel. For each kernel,
// product[k] is multiplied by the mass it keeps inside the support where log_normalizer's fast
// form applies (a kernel at most as wide as its support keeps a third of it), and log_rest[k]
// gets log_gauss_mass added otherwise. The caller takes log(product) once for all dimensions,
// folding it into log_rest before it could underflow (every factor is at least 0.01).
void multiply_kept_masses(const double* mus, Eigen::Index n, double sigma, double low, double high,
                          double* product, double* log_rest);
// The same, bit for bit, with the portable code whatever the CPU (multiply_kept_masses uses AVX2
// where the CPU has it): for tests.
void multiply_kept_masses_portable(const double* mus, Eigen::Index n, double sigma, double low,
                                   double high, double* product, double* log_rest);

// A draw of the standard normal truncated to [a, b] (a <= b), exact.
double truncated_standard_normal(std::mt19937_64& rng, double a, double b);

// Cell masses of one discrete dimension (support [low, high], cells of width `step`) for the
// kernels of width `sigma` centred on the grid, by grid offset between sample and centre, each
// computed on first use. A sample's cell [x - step/2, x + step/2] lies inside the support when x
// is on the grid, so the mass depends on the offset alone. Not thread-safe: one per log_pdf call.
class CellMassTable {
 public:
  CellMassTable(double low, double high, double step, double sigma);

  // log mass of the cell `offset` whole steps from the kernel's centre (x - mu = offset * step),
  // or NaN when the table does not apply (a grid of more than 65,536 cells, or an offset beyond
  // the grid).
  // The number of grid cells, or 0 when the table does not apply (over 65,536 cells).
  int n_cells() const { return values_.empty() ? 0 : n_cells_; }

  double get_by_offset(int offset) {
    if (values_.empty() || offset > n_cells_ || offset < -n_cells_) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    double& v = values_[static_cast<size_t>(offset + n_cells_)];
    if (std::isnan(v)) v = compute(offset);
    return v;
  }

 private:
  double compute(int offset) const;

  double step_;
  double inv_sigma_;
  int n_cells_ = 0;
  std::vector<double> values_;
};

}  // namespace hpo::tpe
