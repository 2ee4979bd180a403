// ParzenEstimator's multivariate fast path (parzen_shared_width.h): the kernels' layout, built
// once, and log_pdf through it, which fills each group of samples' u and tables and hands the
// kernels to the SIMD loops (parzen_shared_width_simd.cc).
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

// Gathered dimensions share a table while it has at most this many entries, or one per eight
// kernels: a group's tables cost (entries x lanes) additions to fill, and each table saves an
// addition per kernel and lane.
constexpr int kMinTableLimit = 64;
constexpr int kKernelsPerTableEntry = 8;
// Grids of up to this many cells number their kernels' classes through a plain array.
constexpr double kMaxArrayValues = 1 << 16;

}  // namespace

void ParzenEstimator::init_shared_widths(const Eigen::MatrixXd& observations) {
  if (!options_.multivariate) return;
  const int n_observations = n_kernels() - (use_prior_ ? 1 : 0);
  if (n_observations == 0) return;
  const int d = n_dimensions();
  SharedWidthKernels sw;
  // |u|^2 + |v|^2 - 2 u.v loses up to 2.2e-16 (|u|^2 + |v|^2) to rounding, at most
  // 2.2e-16 * sum over dimensions of (range / sigma)^2 / 2 with centred coordinates: kept
  // below 1e-12.
  double worst = 0.0;
  for (int j = 0; j < d; ++j) {
    if (dimensions_[j].kind != DimensionKind::kContinuous) continue;
    // Multivariate observation kernels have one width per dimension by construction
    // (init_numerical): checking every kernel's was a tenth of this function.
    assert((sigmas_[j].head(n_observations) == common_sigmas_[j]).all());
    const double span = (dimensions_[j].high - dimensions_[j].low) / common_sigmas_[j];
    worst += 0.5 * span * span;
    sw.centre_dims.push_back(j);
  }
  if (worst > 4500.0) return;

  // The kernels of the layout: observations on every discrete dimension's grid (at the common
  // width); the others (the prior, kernels off the grid) keep their exact terms.
  std::vector<int> fast;
  std::vector<int> gathered_dims;
  for (int j = 0; j < d; ++j) {
    if (dimensions_[j].kind != DimensionKind::kContinuous) gathered_dims.push_back(j);
  }
  for (int k = 0; k < n_observations; ++k) {
    bool on_grid = true;
    for (int j : gathered_dims) {
      on_grid = on_grid && (dimensions_[j].kind == DimensionKind::kCategorical ||
                            kernel_cells_[j][k] >= 0);
    }
    (on_grid ? fast : sw.other_kernels).push_back(k);
  }
  // Few kernels on the grid: the general path is as fast.
  if (fast.size() < sw.other_kernels.size() + 8) return;
  if (use_prior_) sw.other_kernels.push_back(n_observations);
  const int n_fast = static_cast<int>(fast.size());

  // Classes: per gathered dimension, the kernels' distinct cells or choices, numbered densely.
  std::vector<std::vector<int>> class_of(d);
  std::vector<std::vector<int>> representatives(d);
  for (int j : gathered_dims) {
    const ParzenDimension& dim = dimensions_[j];
    const bool categorical = dim.kind == DimensionKind::kCategorical;
    const double n_values =
        categorical ? dim.n_choices : std::round((dim.high - dim.low) / dim.step);
    // Class by value in a plain array (one hash lookup per kernel was most of this function),
    // in a hash map for grids too large for one.
    std::vector<int> by_value(n_values <= kMaxArrayValues ? static_cast<size_t>(n_values) : 0, -1);
    std::unordered_map<int, int> by_value_map;
    class_of[j].resize(n_fast);
    for (int p = 0; p < n_fast; ++p) {
      const int k = fast[p];
      const int value = categorical ? static_cast<int>(observations(k, j)) : kernel_cells_[j][k];
      int& number = by_value.empty() ? by_value_map.try_emplace(value, -1).first->second
                                     : by_value[static_cast<size_t>(value)];
      if (number < 0) {
        number = static_cast<int>(representatives[j].size());
        representatives[j].push_back(k);
      }
      class_of[j][p] = number;
    }
  }
  // Tables: the dimensions with the fewest classes first, each joining the last table while it
  // stays under the limit.
  std::stable_sort(gathered_dims.begin(), gathered_dims.end(), [&](int a, int b) {
    return representatives[a].size() < representatives[b].size();
  });
  const long long limit = std::max(kMinTableLimit, n_fast / kKernelsPerTableEntry);
  for (int j : gathered_dims) {
    const int n_classes = static_cast<int>(representatives[j].size());
    if (sw.tables.empty() ||
        static_cast<long long>(sw.tables.back().n_entries) * n_classes > limit) {
      sw.tables.emplace_back();
    }
    GatheredTable& table = sw.tables.back();
    table.dims.push_back(j);
    table.representatives.push_back(representatives[j]);
    table.n_entries *= n_classes;
    std::vector<int>& cells = table.cells.emplace_back();
    std::vector<double>& masses = table.masses.emplace_back();
    const ParzenDimension& dim = dimensions_[j];
    if (dim.kind != DimensionKind::kDiscrete) continue;
    for (int k : representatives[j]) cells.push_back(kernel_cells_[j][k]);
    CellMassTable by_offset(dim.low, dim.high, dim.step, common_sigmas_[j]);
    if (by_offset.n_cells() > 0 && by_offset.n_cells() <= n_fast) {
      masses.resize(by_offset.n_cells());
      for (int o = 0; o < by_offset.n_cells(); ++o) masses[o] = by_offset.get_by_offset(o);
    }
  }

  // The layout; padding kernels have constant -inf.
  constexpr int kBatch = SharedWidthKernels::kBatch;
  const int c = static_cast<int>(sw.centre_dims.size());
  const int n_tables = static_cast<int>(sw.tables.size());
  const int n_kernels = (n_fast + kBatch - 1) / kBatch * kBatch;
  sw.n_kernels = n_kernels;
  sw.n_centre_dims = c;
  sw.centres.assign(static_cast<size_t>(n_kernels) * c, 0.0);
  sw.constants.assign(n_kernels, -std::numeric_limits<double>::infinity());
  sw.keys.assign(static_cast<size_t>(n_kernels) * n_tables, 0);
  const bool all_fast = n_fast == n_observations;  // the usual case: whole arrays
  Eigen::Map<Eigen::ArrayXd> constants(sw.constants.data(), n_fast);
  if (all_fast) {
    constants = log_constant_.head(n_fast);
  } else {
    for (int p = 0; p < n_fast; ++p) constants(p) = log_constant_(fast[p]);
  }
  for (int s = 0; s < c; ++s) {
    const int j = sw.centre_dims[s];
    const double centre = 0.5 * (dimensions_[j].low + dimensions_[j].high);
    Eigen::Map<Eigen::ArrayXd> v(sw.centres.data() + static_cast<size_t>(s) * n_kernels, n_fast);
    if (all_fast) {
      v = (mus_[j].head(n_fast) - centre) / common_sigmas_[j];
    } else {
      for (int p = 0; p < n_fast; ++p) v(p) = (mus_[j](fast[p]) - centre) / common_sigmas_[j];
    }
    constants -= 0.5 * v.square();
  }
  for (int t = 0; t < n_tables; ++t) {
    const GatheredTable& table = sw.tables[t];
    int* keys = sw.keys.data() + static_cast<size_t>(t) * n_kernels;
    for (int q = static_cast<int>(table.dims.size()) - 1; q >= 0; --q) {
      const int n_classes = static_cast<int>(table.representatives[q].size());
      const std::vector<int>& classes = class_of[table.dims[q]];
      for (int p = 0; p < n_fast; ++p) keys[p] = keys[p] * n_classes + classes[p];
    }
  }
  shared_ = std::move(sw);
  use_shared_ = true;
}

double ParzenEstimator::kernel_term(int k, const Eigen::MatrixXd& samples, Eigen::Index i) const {
  double term = log_constant_(k);
  for (int j = 0; j < n_dimensions(); ++j) {
    const ParzenDimension& dim = dimensions_[j];
    const double x = samples(i, j);
    switch (dim.kind) {
      case DimensionKind::kContinuous: {
        const double z = (x - mus_[j](k)) * inv_sigmas_[j](k);
        term -= 0.5 * z * z;
        break;
      }
      case DimensionKind::kDiscrete: {
        const double lo = std::max(x - 0.5 * dim.step, dim.low);
        const double hi = std::min(x + 0.5 * dim.step, dim.high);
        term += log_gauss_mass((lo - mus_[j](k)) * inv_sigmas_[j](k),
                               (hi - mus_[j](k)) * inv_sigmas_[j](k));
        break;
      }
      case DimensionKind::kCategorical:
        term += log_categorical_[j](static_cast<int>(x), k);
        break;
    }
  }
  return term;
}

void ParzenEstimator::gathered_factors(const GatheredTable& table, int q,
                                       const Eigen::MatrixXd& samples, Eigen::Index i,
                                       CellMassTable* by_offset, double* out, int stride) const {
  const int j = table.dims[q];
  const ParzenDimension& dim = dimensions_[j];
  const std::vector<int>& reps = table.representatives[q];
  const size_t n_classes = reps.size();
  const double x = samples(i, j);
  if (dim.kind == DimensionKind::kCategorical) {
    const int choice = static_cast<int>(x);
    for (size_t r = 0; r < n_classes; ++r) out[r * stride] = log_categorical_[j](choice, reps[r]);
    return;
  }
  const int x_cell = dim.cell_of(x);
  const std::vector<int>& cells = table.cells[q];
  const std::vector<double>& masses = table.masses[q];
  if (x_cell >= 0 && !masses.empty()) {
    for (size_t r = 0; r < n_classes; ++r) out[r * stride] = masses[std::abs(x_cell - cells[r])];
    return;
  }
  for (size_t r = 0; r < n_classes; ++r) {
    // A cell's mass depends on its distance only: offsets taken positive share the table.
    double m = x_cell >= 0 ? by_offset->get_by_offset(std::abs(x_cell - cells[r]))
                           : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(m)) {
      // The mass of the value's cell, clipped to the support.
      const int k = reps[r];
      const double lo = std::max(x - 0.5 * dim.step, dim.low);
      const double hi = std::min(x + 0.5 * dim.step, dim.high);
      m = log_gauss_mass((lo - mus_[j](k)) * inv_sigmas_[j](k),
                         (hi - mus_[j](k)) * inv_sigmas_[j](k));
    }
    out[r * stride] = m;
  }
}

void ParzenEstimator::log_pdf_shared_widths(const Eigen::MatrixXd& samples, Eigen::VectorXd& out,
                                            LogPdfPath path) const {
  const int n = static_cast<int>(samples.rows());
  const int d = n_dimensions();
  const int lanes = log_pdf_lanes(path);
  const int c = shared_.n_centre_dims;
  const int n_tables = static_cast<int>(shared_.tables.size());
  out.resize(n);
  // Per call, so that concurrent calls share nothing mutable.
  std::vector<std::optional<CellMassTable>> cell_tables(d);
  for (const GatheredTable& table : shared_.tables) {
    for (int j : table.dims) {
      const ParzenDimension& dim = dimensions_[j];
      if (dim.kind == DimensionKind::kDiscrete) {
        cell_tables[j].emplace(dim.low, dim.high, dim.step, common_sigmas_[j]);
      }
    }
  }
  std::vector<double> u(static_cast<size_t>(c) * lanes), half_norm(lanes), top(lanes), sum(lanes);
  std::vector<std::vector<double>> table_values(n_tables);
  SampleGroup group;
  group.u = u.data();
  group.half_norm = half_norm.data();
  for (int t = 0; t < n_tables; ++t) {
    table_values[t].resize(static_cast<size_t>(shared_.tables[t].n_entries) * lanes);
    group.tables.push_back(table_values[t].data());
  }
  std::vector<double> factors;
  for (int first = 0; first < n; first += lanes) {
    // A last group short of samples repeats its last one.
    for (int l = 0; l < lanes; ++l) {
      const Eigen::Index i = std::min(first + l, n - 1);
      double norm = 0.0;
      for (int s = 0; s < c; ++s) {
        const int j = shared_.centre_dims[s];
        const double centre = 0.5 * (dimensions_[j].low + dimensions_[j].high);
        const double x = (samples(i, j) - centre) / common_sigmas_[j];
        u[static_cast<size_t>(s) * lanes + l] = x;
        norm += x * x;
      }
      half_norm[l] = 0.5 * norm;
    }
    for (int t = 0; t < n_tables; ++t) {
      // The first dimension's factors, then each next dimension's added to every entry so far
      // (blocks from the last down, so that block 0 is read before it is updated).
      const GatheredTable& table = shared_.tables[t];
      double* values = table_values[t].data();
      size_t size = 1;
      for (size_t q = 0; q < table.dims.size(); ++q) {
        std::optional<CellMassTable>& by_offset = cell_tables[table.dims[q]];
        const size_t n_classes = table.representatives[q].size();
        double* out = values;
        if (q > 0) {
          factors.resize(n_classes * lanes);
          out = factors.data();
        }
        for (int l = 0; l < lanes; ++l) {
          gathered_factors(table, static_cast<int>(q), samples, std::min(first + l, n - 1),
                           by_offset ? &*by_offset : nullptr, out + l, lanes);
        }
        if (q > 0) {
          for (size_t r = n_classes; r-- > 0;) {
            for (size_t e = 0; e < size; ++e) {
              double* to = values + (r * size + e) * lanes;
              const double* from = values + e * lanes;
              const double* f = factors.data() + r * lanes;
              for (int l = 0; l < lanes; ++l) to[l] = from[l] + f[l];
            }
          }
        }
        size *= n_classes;
      }
    }
    std::fill(top.begin(), top.end(), -std::numeric_limits<double>::infinity());
    std::fill(sum.begin(), sum.end(), 0.0);
    add_shared_width_terms(shared_, group, path, top.data(), sum.data());
    for (int l = 0; l < lanes && first + l < n; ++l) {
      const int i = first + l;
      double m = top[l], s = sum[l];
      for (int k : shared_.other_kernels) {
        const double term = kernel_term(k, samples, i);
        if (!(term > -std::numeric_limits<double>::infinity())) continue;
        if (term > m) {
          s = (m > -std::numeric_limits<double>::infinity() ? s * std::exp(m - term) : 0.0) + 1.0;
          m = term;
        } else {
          s += std::exp(term - m);
        }
      }
      out(i) = std::isfinite(m) ? m + std::log(s) : m;
    }
  }
}

}  // namespace hpo::tpe
