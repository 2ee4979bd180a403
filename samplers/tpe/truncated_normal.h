// Standard normal masses and draws for truncated Gaussian kernels: log(Phi(b) - Phi(a)) accurate
// in both tails, the truncation normalizer of a kernel, draws from a truncated standard normal,
// and the shared table of grid-cell masses of discrete kernels.
#pragma once

#include <random>
#include <vector>

namespace hpo::tpe {

// log(Phi(b) - Phi(a)) for a < b, where Phi is the standard normal CDF; accurate in both tails.
double log_gauss_mass(double a, double b);

// log_gauss_mass(a, b) of a kernel's support in standard units, taken as exactly 0 when both
// bounds lie more than 8.5 standard deviations away (the mass lost is below 2e-17).
double log_normalizer(double a, double b);

// A draw of the standard normal truncated to [a, b] (a <= b), exact.
double truncated_standard_normal(std::mt19937_64& rng, double a, double b);

// Cell masses of one discrete dimension (support [low, high], cells of width `step`) for the
// kernels of width `sigma` centred on the grid, by grid offset between sample and centre, each
// computed on first use. A sample's cell [x - step/2, x + step/2] lies inside the support when x
// is on the grid, so the mass depends on the offset alone. Not thread-safe: one per log_pdf call.
class CellMassTable {
 public:
  CellMassTable(double low, double high, double step, double sigma);

  // log mass of the cell at `x` under the kernel centred at `mu`, or NaN when the table does not
  // apply (a grid of more than 65,536 cells, or x - mu not a whole number of steps).
  double get(double x, double mu);

 private:
  double step_;
  double inv_sigma_;
  int n_cells_ = 0;
  std::vector<double> values_;
};

}  // namespace hpo::tpe
