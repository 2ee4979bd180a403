// ParzenEstimator's log densities (construction is in parzen_estimator.cc): one numerical
// dimension through the window over kernels sorted by centre, one categorical dimension by
// choice, and the general case as a streaming log-sum-exp over blocks of kernels. Multivariate
// estimators of shared widths take the SIMD fast path (parzen_shared_width.cc).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "samplers/tpe/exp_lanes.h"
#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

// A log-sum-exp term more than this many nats below the largest one changes the sum by less than
// e^-45 (3e-20) relative: 10^4 such terms stay below 1e-15.
constexpr double kWindowCutoff = 45.0;
// log_pdf visits the kernels in blocks of this many: a block's terms for one sample fit in L1,
// and no buffer grows with the number of kernels.
constexpr int kKernelBlock = 256;
// Grids of up to this many cells (or as many as kernels) get per-sample rows of cell masses.
constexpr int kMinRowCells = 256;

using lanes::V4d;
using lanes::V4i;

// sum over p < len of exp(t[p] - shift), for t[p] <= shift (the log-sum-exp's terms below its
// running maximum), each exponential to a relative error below 5e-16. Four lanes at a time
// (GCC vector extensions: two SSE2 vectors in the portable form, one AVX2 vector in the other,
// chosen at run time; the same operations per lane, so the same bits): fewer instructions than
// Eigen's exp there, which was most of a multivariate log_pdf.
[[gnu::always_inline]] inline double exp_sum_body(const double* t, int len, double shift) {
  V4d sum = {0.0, 0.0, 0.0, 0.0};
  int p = 0;
  for (; p + 4 <= len; p += 4) {
    V4d x;
    std::memcpy(&x, t + p, sizeof(x));
    x -= shift;
    lanes::exp_nonpositive_in_place<V4d, V4i>(x);
    sum += x;
  }
  double out = (sum[0] + sum[1]) + (sum[2] + sum[3]);
  for (; p < len; ++p) out += std::exp(t[p] - shift);
  return out;
}

double exp_sum_portable(const double* t, int len, double shift) {
  return exp_sum_body(t, len, shift);
}

__attribute__((target("avx2"))) double exp_sum_avx2(const double* t, int len, double shift) {
  return exp_sum_body(t, len, shift);
}

double exp_sum(const double* t, int len, double shift) {
  static const auto best = lanes::has_avx2() ? exp_sum_avx2 : exp_sum_portable;
  return best(t, len, shift);
}

}  // namespace

void ParzenEstimator::log_pdf_windowed(const Eigen::MatrixXd& samples,
                                       Eigen::VectorXd& out) const {
  const ParzenDimension& dim = dimensions_[0];
  const Eigen::ArrayXd& mus = mus_[0];
  const Eigen::ArrayXd& inv = inv_sigmas_[0];
  const bool discrete = dim.kind == DimensionKind::kDiscrete;
  const double half_step = discrete ? 0.5 * dim.step : 0.0;
  std::optional<CellMassTable> table;
  if (discrete) table.emplace(dim.low, dim.high, dim.step, common_sigmas_[0]);
  int x_cell = -1;  // the current sample's grid cell (discrete)
  // Kernel k's term of the log-sum-exp at x: exactly what log_pdf adds up.
  auto term = [&](int k, double x) {
    if (!discrete) {
      const double z = (x - mus(k)) * inv(k);
      return log_constant_(k) - 0.5 * z * z;
    }
    const int k_cell = kernel_cells_[0][k];
    double m = x_cell >= 0 && k_cell >= 0 ? table->get_by_offset(x_cell - k_cell)
                                          : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(m)) {
      const double lo = std::max(x - half_step, dim.low);
      const double hi = std::min(x + half_step, dim.high);
      m = log_gauss_mass((lo - mus(k)) * inv(k), (hi - mus(k)) * inv(k));
    }
    return log_constant_(k) + m;
  };
  const int n = static_cast<int>(samples.rows());
  const int n_narrow = static_cast<int>(window_order_.size());
  out.resize(n);
  std::vector<double> terms;
  terms.reserve(n_kernels());
  for (int i = 0; i < n; ++i) {
    const double x = samples(i, 0);
    if (discrete) x_cell = dim.cell_of(x);
    terms.clear();
    double top = -std::numeric_limits<double>::infinity();
    for (int k : wide_kernels_) {
      terms.push_back(term(k, x));
      top = std::max(top, terms.back());
    }
    // The nearest narrow kernels give a good lower bound on the largest term; a narrow kernel
    // at distance r from x has a term of at most
    // window_bound_ - ((r - half_step) / window_sigma_cap_)^2 / 2, which is below
    // top - kWindowCutoff outside the reach.
    const int pos = static_cast<int>(
        std::lower_bound(window_mus_.begin(), window_mus_.end(), x) - window_mus_.begin());
    if (pos > 0) top = std::max(top, term(window_order_[pos - 1], x));
    if (pos < n_narrow) top = std::max(top, term(window_order_[pos], x));
    const double reach =
        half_step +
        window_sigma_cap_ * std::sqrt(2.0 * std::max(0.0, window_bound_ - top + kWindowCutoff));
    const auto first = std::lower_bound(window_mus_.begin(), window_mus_.end(), x - reach);
    const auto last = std::upper_bound(first, window_mus_.end(), x + reach);
    const Eigen::Index begin = first - window_mus_.begin(), count = last - first;
    const size_t n_wide = terms.size();
    terms.resize(n_wide + static_cast<size_t>(count));
    if (!discrete) {
      // Contiguous arrays in centre order: one vectorized expression for the whole window.
      const Eigen::Map<const Eigen::ArrayXd> centres(window_mus_.data() + begin, count);
      Eigen::Map<Eigen::ArrayXd>(terms.data() + n_wide, count) =
          window_log_constants_.segment(begin, count) -
          0.5 * ((x - centres) * window_inv_sigmas_.segment(begin, count)).square();
    } else {
      for (Eigen::Index p = 0; p < count; ++p) {
        terms[n_wide + p] = term(window_order_[begin + p], x);
      }
    }
    const Eigen::Map<const Eigen::ArrayXd> t(terms.data(), static_cast<Eigen::Index>(terms.size()));
    const double m = t.maxCoeff();
    out(i) = std::isfinite(m) ? m + std::log((t - m).exp().sum()) : m;
  }
}

void ParzenEstimator::log_pdf_one_categorical(const Eigen::MatrixXd& samples,
                                              Eigen::VectorXd& out) const {
  std::vector<double> by_choice(dimensions_[0].n_choices,
                                std::numeric_limits<double>::quiet_NaN());
  out.resize(samples.rows());
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    double& v = by_choice[static_cast<size_t>(samples(i, 0))];
    if (std::isnan(v)) {
      const Eigen::ArrayXd terms =
          log_constant_ + log_categorical_[0].row(static_cast<int>(samples(i, 0))).transpose();
      const double m = terms.maxCoeff();
      v = std::isfinite(m) ? m + std::log((terms - m).exp().sum()) : m;
    }
    out(i) = v;
  }
}

void ParzenEstimator::log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const {
  log_pdf(samples, out, best_log_pdf_path());
}

void ParzenEstimator::log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out,
                              LogPdfPath path) const {
  if (!window_order_.empty()) {
    log_pdf_windowed(samples, out);
    return;
  }
  const int d = n_dimensions();
  if (d == 1 && dimensions_[0].kind == DimensionKind::kCategorical) {
    log_pdf_one_categorical(samples, out);
    return;
  }
  if (use_shared_) {
    log_pdf_shared_widths(samples, out, path);
    return;
  }
  const int n = static_cast<int>(samples.rows());
  const int n_kernels = this->n_kernels();
  out.resize(n);
  // Discrete dimensions: each sample's cell, and one table of cell masses by offset per call.
  // Grids with no more cells than kernels get one row per sample cell: the masses under a
  // kernel in each cell, which every kernel gathers by its cell (gather_cells_).
  std::vector<std::optional<CellMassTable>> tables(d);
  std::vector<int> sample_cells(static_cast<size_t>(n) * d, -1);
  std::vector<const double*> sample_rows(static_cast<size_t>(n) * d, nullptr);
  std::vector<std::vector<double>> rows(d);
  for (int j = 0; j < d; ++j) {
    const ParzenDimension& dim = dimensions_[j];
    if (dim.kind != DimensionKind::kDiscrete) continue;
    CellMassTable& table = tables[j].emplace(dim.low, dim.high, dim.step, common_sigmas_[j]);
    for (int i = 0; i < n; ++i) sample_cells[i * d + j] = dim.cell_of(samples(i, j));
    const int n_cells = table.n_cells();
    if (n_cells == 0 || n_cells > std::max(kMinRowCells, n_kernels)) continue;
    // One row per distinct cell among the samples.
    std::vector<int> row_of_cell(n_cells, -1);
    int n_rows = 0;
    for (int i = 0; i < n; ++i) {
      const int cell = sample_cells[i * d + j];
      if (cell >= 0 && row_of_cell[cell] < 0) row_of_cell[cell] = n_rows++;
    }
    const size_t width = static_cast<size_t>(n_cells) + 1;
    rows[j].resize(width * n_rows);
    for (int cell = 0; cell < n_cells; ++cell) {
      if (row_of_cell[cell] < 0) continue;
      double* row = rows[j].data() + width * row_of_cell[cell];
      for (int c = 0; c < n_cells; ++c) row[c] = table.get_by_offset(cell - c);
      row[n_cells] = 0.0;  // kernels off the grid: added exactly
    }
    for (int i = 0; i < n; ++i) {
      const int cell = sample_cells[i * d + j];
      if (cell >= 0) sample_rows[i * d + j] = rows[j].data() + width * row_of_cell[cell];
    }
  }
  // A streaming log-sum-exp per sample over blocks of kernels: running max and scaled sum.
  std::vector<double> top(n, -std::numeric_limits<double>::infinity());
  std::vector<double> scaled_sum(n, 0.0);
  Eigen::Array<double, kKernelBlock, 1> block_terms;
  std::array<double, kKernelBlock> kept_terms;
  for (int start = 0; start < n_kernels; start += kKernelBlock) {
    const int len = std::min(kKernelBlock, n_kernels - start);
    auto t = block_terms.head(len);
    for (int i = 0; i < n; ++i) {
      t = log_constant_.segment(start, len);
      for (int j = 0; j < d; ++j) {
        const ParzenDimension& dim = dimensions_[j];
        const double x = samples(i, j);
        switch (dim.kind) {
          case DimensionKind::kContinuous:
            t -= 0.5 * ((x - mus_[j].segment(start, len)) * inv_sigmas_[j].segment(start, len))
                           .square();
            break;
          case DimensionKind::kDiscrete: {
            if (const double* row = sample_rows[i * d + j]) {
              const int* cells = gather_cells_[j].data() + start;
              for (int p = 0; p < len; ++p) t(p) += row[cells[p]];
              const std::vector<int>& off_grid = off_grid_kernels_[j];
              for (auto it = std::lower_bound(off_grid.begin(), off_grid.end(), start);
                   it != off_grid.end() && *it < start + len; ++it) {
                const int k = *it;
                const double lo = std::max(x - 0.5 * dim.step, dim.low);
                const double hi = std::min(x + 0.5 * dim.step, dim.high);
                t(k - start) += log_gauss_mass((lo - mus_[j](k)) * inv_sigmas_[j](k),
                                               (hi - mus_[j](k)) * inv_sigmas_[j](k));
              }
              break;
            }
            // The mass of the value's grid cell, clipped to the support.
            const int cell = sample_cells[i * d + j];
            const std::vector<int>& kernel_cells = kernel_cells_[j];
            CellMassTable& table = *tables[j];
            for (int p = 0; p < len; ++p) {
              const int k = start + p;
              double m = cell >= 0 && kernel_cells[k] >= 0
                             ? table.get_by_offset(cell - kernel_cells[k])
                             : std::numeric_limits<double>::quiet_NaN();
              if (std::isnan(m)) {
                const double lo = std::max(x - 0.5 * dim.step, dim.low);
                const double hi = std::min(x + 0.5 * dim.step, dim.high);
                m = log_gauss_mass((lo - mus_[j](k)) * inv_sigmas_[j](k),
                                   (hi - mus_[j](k)) * inv_sigmas_[j](k));
              }
              t(p) += m;
            }
            break;
          }
          case DimensionKind::kCategorical:
            t += log_categorical_[j].row(static_cast<int>(x)).segment(start, len).transpose();
            break;
        }
      }
      const double m = t.maxCoeff();
      if (!(m > -std::numeric_limits<double>::infinity())) continue;
      if (m > top[i]) {
        scaled_sum[i] *= std::exp(top[i] - m);
        top[i] = m;
      }
      // Terms more than kWindowCutoff nats below the running maximum (most of them, with many
      // kernels in several dimensions) are left out: packed first, the rest take no exp.
      const double floor = top[i] - kWindowCutoff;
      int n_kept = 0;
      for (int p = 0; p < len; ++p) {
        kept_terms[n_kept] = t(p);
        n_kept += t(p) >= floor ? 1 : 0;
      }
      scaled_sum[i] += exp_sum(kept_terms.data(), n_kept, top[i]);
    }
  }
  for (int i = 0; i < n; ++i) {
    out(i) = std::isfinite(top[i]) ? top[i] + std::log(scaled_sum[i]) : top[i];
  }
}

}  // namespace hpo::tpe
