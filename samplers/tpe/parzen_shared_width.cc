// Multivariate log_pdf's fast path (parzen_shared_width.h): the tables, the scales, the scoring
// of samples through a layout (which fills each group of samples' u and tables and hands the
// kernels to the SIMD loops of parzen_shared_width_simd.cc), and ParzenEstimator's layout.
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

// A table has at most this many entries, or one per eight kernels.
constexpr int kMinTableLimit = 64;
constexpr int kKernelsPerTableEntry = 8;
// Grids of up to this many cells number their kernels' classes through a plain array.
constexpr double kMaxArrayValues = 1 << 16;

// out[r * stride] = the factor at sample value x of the kernels of class r of dimension q of
// `table` (by_offset: cell masses at the kernels' width, for a discrete one).
void gathered_factors(const ParzenDimension& dim, const std::vector<int>& values, int j,
                      const SharedWidthScales& scales, double x, CellMassTable* by_offset,
                      double* out, int stride) {
  const size_t n_classes = values.size();
  if (dim.kind == DimensionKind::kCategorical) {
    const double* log_p =
        scales.categorical_log_p[j].data() + static_cast<size_t>(x) * dim.n_choices;
    for (size_t r = 0; r < n_classes; ++r) out[r * stride] = log_p[values[r]];
    return;
  }
  const int x_cell = dim.cell_of(x);
  const std::vector<double>& masses = scales.cell_masses[j];
  if (x_cell >= 0 && !masses.empty()) {
    for (size_t r = 0; r < n_classes; ++r) out[r * stride] = masses[std::abs(x_cell - values[r])];
    return;
  }
  const double width = scales.widths[j];
  for (size_t r = 0; r < n_classes; ++r) {
    // A cell's mass depends on its distance only: offsets taken positive share the table.
    double m = x_cell >= 0 ? by_offset->get_by_offset(std::abs(x_cell - values[r]))
                           : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(m)) {
      // The mass of the value's cell, clipped to the support, under a kernel at the class's
      // cell centre.
      const double mu = dim.low + (values[r] + 0.5) * dim.step;
      const double lo = std::max(x - 0.5 * dim.step, dim.low);
      const double hi = std::min(x + 0.5 * dim.step, dim.high);
      m = log_gauss_mass((lo - mu) / width, (hi - mu) / width);
    }
    out[r * stride] = m;
  }
}

}  // namespace

std::vector<GatheredTable> plan_tables(std::vector<int> dims, const std::vector<int>& n_classes,
                                       int n_kernels) {
  std::stable_sort(dims.begin(), dims.end(),
                   [&](int a, int b) { return n_classes[a] < n_classes[b]; });
  const long long limit = std::max(kMinTableLimit, n_kernels / kKernelsPerTableEntry);
  std::vector<GatheredTable> tables;
  for (int j : dims) {
    if (tables.empty() || static_cast<long long>(tables.back().n_entries) * n_classes[j] > limit) {
      tables.emplace_back();
    }
    tables.back().dims.push_back(j);
    tables.back().n_entries *= n_classes[j];
  }
  return tables;
}

bool shared_width_exact_enough(const std::vector<ParzenDimension>& dimensions,
                               const std::vector<double>& widths) {
  double worst = 0.0;
  for (size_t j = 0; j < dimensions.size(); ++j) {
    if (dimensions[j].kind != DimensionKind::kContinuous) continue;
    const double span = (dimensions[j].high - dimensions[j].low) / widths[j];
    worst += 0.5 * span * span;
  }
  return worst <= 4500.0;
}

Eigen::ArrayXXd categorical_log_probabilities(int n_choices, double smoothing) {
  Eigen::ArrayXXd p = Eigen::ArrayXXd::Constant(n_choices, n_choices + 1, smoothing);
  for (int c = 0; c < n_choices; ++c) p(c, c) += 1.0;
  for (int c = 0; c <= n_choices; ++c) p.col(c) /= p.col(c).sum();
  return p.log();
}

SharedWidthScales shared_width_scales(const std::vector<ParzenDimension>& dimensions,
                                      const std::vector<double>& widths, int n_kernels,
                                      double smoothing) {
  const size_t d = dimensions.size();
  SharedWidthScales scales;
  scales.widths = widths;
  scales.cell_masses.assign(d, {});
  scales.categorical_log_p.assign(d, {});
  for (size_t j = 0; j < d; ++j) {
    const ParzenDimension& dim = dimensions[j];
    if (dim.kind == DimensionKind::kDiscrete) {
      CellMassTable by_offset(dim.low, dim.high, dim.step, widths[j]);
      if (by_offset.n_cells() > 0 && by_offset.n_cells() <= n_kernels) {
        std::vector<double>& masses = scales.cell_masses[j];
        masses.resize(by_offset.n_cells());
        for (int o = 0; o < by_offset.n_cells(); ++o) masses[o] = by_offset.get_by_offset(o);
      }
    } else if (dim.kind == DimensionKind::kCategorical) {
      const Eigen::ArrayXXd log_p = categorical_log_probabilities(dim.n_choices, smoothing);
      std::vector<double>& out = scales.categorical_log_p[j];
      out.resize(static_cast<size_t>(dim.n_choices) * dim.n_choices);
      for (int x = 0; x < dim.n_choices; ++x) {
        for (int c = 0; c < dim.n_choices; ++c) out[x * dim.n_choices + c] = log_p(x, c);
      }
    }
  }
  return scales;
}

void shared_width_log_sum_exp(const std::vector<ParzenDimension>& dimensions,
                              const SharedWidthKernels& kernels, const SharedWidthScales& scales,
                              const Eigen::MatrixXd& samples, LogPdfPath path,
                              std::vector<double>& top_out, std::vector<double>& sum_out) {
  const int n = static_cast<int>(samples.rows());
  const int d = static_cast<int>(dimensions.size());
  const int lanes = log_pdf_lanes(path);
  const int c = kernels.n_centre_dims;
  const int n_tables = static_cast<int>(kernels.tables.size());
  top_out.assign(n, -std::numeric_limits<double>::infinity());
  sum_out.assign(n, 0.0);
  // Per call, so that concurrent calls share nothing mutable.
  std::vector<std::optional<CellMassTable>> cell_tables(d);
  for (const GatheredTable& table : kernels.tables) {
    for (int j : table.dims) {
      const ParzenDimension& dim = dimensions[j];
      if (dim.kind == DimensionKind::kDiscrete) {
        cell_tables[j].emplace(dim.low, dim.high, dim.step, scales.widths[j]);
      }
    }
  }
  std::vector<double> u(static_cast<size_t>(c) * lanes), half_norm(lanes), top(lanes), sum(lanes);
  std::vector<std::vector<double>> table_values(n_tables);
  SampleGroup group;
  group.u = u.data();
  group.half_norm = half_norm.data();
  for (int t = 0; t < n_tables; ++t) {
    table_values[t].resize(static_cast<size_t>(kernels.tables[t].n_entries) * lanes);
    group.tables.push_back(table_values[t].data());
  }
  std::vector<double> factors;
  for (int first = 0; first < n; first += lanes) {
    // A last group short of samples repeats its last one.
    for (int l = 0; l < lanes; ++l) {
      const Eigen::Index i = std::min(first + l, n - 1);
      double norm = 0.0;
      for (int s = 0; s < c; ++s) {
        const int j = kernels.centre_dims[s];
        const double z = (samples(i, j) - dimensions[j].midpoint()) / scales.widths[j];
        u[static_cast<size_t>(s) * lanes + l] = z / scales.widths[j];
        norm += z * z;
      }
      half_norm[l] = 0.5 * norm;
    }
    for (int t = 0; t < n_tables; ++t) {
      // The first dimension's factors, then each next dimension's added to every entry so far
      // (blocks from the last down, so that block 0 is read before it is updated).
      const GatheredTable& table = kernels.tables[t];
      double* values = table_values[t].data();
      size_t size = 1;
      for (size_t q = 0; q < table.dims.size(); ++q) {
        const int j = table.dims[q];
        std::optional<CellMassTable>& by_offset = cell_tables[j];
        const size_t n_classes = table.values[q].size();
        double* out = values;
        if (q > 0) {
          factors.resize(n_classes * lanes);
          out = factors.data();
        }
        for (int l = 0; l < lanes; ++l) {
          gathered_factors(dimensions[j], table.values[q], j, scales,
                           samples(std::min(first + l, n - 1), j),
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
    add_shared_width_terms(kernels, group, path, top.data(), sum.data());
    for (int l = 0; l < lanes && first + l < n; ++l) {
      top_out[first + l] = top[l];
      sum_out[first + l] = sum[l];
    }
  }
}

// ---- ParzenEstimator's layout

void ParzenEstimator::init_shared_widths(const Eigen::MatrixXd& observations,
                                         const std::vector<double>& widths) {
  if (!options_.multivariate) return;
  const int n_observations = n_kernels() - (use_prior_ ? 1 : 0);
  if (n_observations == 0) return;
  const int d = n_dimensions();
  if (!shared_width_exact_enough(dimensions_, widths)) return;
  SharedWidthKernels sw;
  for (int j = 0; j < d; ++j) {
    if (dimensions_[j].kind != DimensionKind::kContinuous) continue;
    // Multivariate observation kernels have one width per dimension by construction
    // (init_numerical).
    assert((sigmas_[j].head(n_observations) == widths[j]).all());
    sw.centre_dims.push_back(j);
  }

  // The kernels of the layout: observations on every discrete dimension's grid (at the common
  // width); the others (the prior, kernels off the grid) keep their exact terms.
  std::vector<int> fast;
  std::vector<int> others;
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
    (on_grid ? fast : others).push_back(k);
  }
  // Few kernels on the grid: the general path is as fast.
  if (fast.size() < others.size() + 8) return;
  if (use_prior_) others.push_back(n_observations);
  const int n_fast = static_cast<int>(fast.size());

  // Classes: per gathered dimension, the kernels' distinct cells or choices, numbered densely.
  std::vector<std::vector<int>> class_of(d);
  std::vector<std::vector<int>> class_values(d);
  std::vector<int> n_classes(d, 0);
  for (int j : gathered_dims) {
    const ParzenDimension& dim = dimensions_[j];
    const bool categorical = dim.kind == DimensionKind::kCategorical;
    const double n_values =
        categorical ? dim.n_choices : dim.n_cells();
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
        number = static_cast<int>(class_values[j].size());
        class_values[j].push_back(value);
      }
      class_of[j][p] = number;
    }
    n_classes[j] = static_cast<int>(class_values[j].size());
  }
  sw.tables = plan_tables(gathered_dims, n_classes, n_fast);
  for (GatheredTable& table : sw.tables) {
    for (int j : table.dims) table.values.push_back(class_values[j]);
  }

  // The layout; padding kernels have constant -inf.
  constexpr int kBatch = SharedWidthKernels::kBatch;
  const int c = static_cast<int>(sw.centre_dims.size());
  const int n_tables = static_cast<int>(sw.tables.size());
  const int n_kernels = (n_fast + kBatch - 1) / kBatch * kBatch;
  sw.n_kernels = n_kernels;
  sw.stride = n_kernels;
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
    const double centre = dimensions_[j].midpoint();
    Eigen::Map<Eigen::ArrayXd> v(sw.centres.data() + static_cast<size_t>(s) * n_kernels, n_fast);
    if (all_fast) {
      v = mus_[j].head(n_fast) - centre;
    } else {
      for (int p = 0; p < n_fast; ++p) v(p) = mus_[j](fast[p]) - centre;
    }
    constants -= 0.5 * (v / widths[j]).square();
  }
  for (int t = 0; t < n_tables; ++t) {
    const GatheredTable& table = sw.tables[t];
    int* keys = sw.keys.data() + static_cast<size_t>(t) * n_kernels;
    for (int q = static_cast<int>(table.dims.size()) - 1; q >= 0; --q) {
      const int n_table_classes = static_cast<int>(table.values[q].size());
      const std::vector<int>& classes = class_of[table.dims[q]];
      for (int p = 0; p < n_fast; ++p) keys[p] = keys[p] * n_table_classes + classes[p];
    }
  }
  scales_ = shared_width_scales(dimensions_, widths, n_fast,
                                categorical_smoothing(n_observations));
  shared_ = std::move(sw);
  other_kernels_ = std::move(others);
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

void ParzenEstimator::log_pdf_shared_widths(const Eigen::MatrixXd& samples, Eigen::VectorXd& out,
                                            LogPdfPath path) const {
  std::vector<double> top, sum;
  shared_width_log_sum_exp(dimensions_, shared_, scales_, samples, path, top, sum);
  const Eigen::Index n = samples.rows();
  out.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (int k : other_kernels_) add_log_sum_exp_term(kernel_term(k, samples, i), top[i], sum[i]);
    out(i) = log_sum_exp_result(top[i], sum[i]);
  }
}

}  // namespace hpo::tpe
