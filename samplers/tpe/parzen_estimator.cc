#include "samplers/tpe/parzen_estimator.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

constexpr double kEps = 1e-12;
// Scott's-rule constant of the multivariate bandwidth (Optuna's SIGMA0_MAGNITUDE, from BOHB).
constexpr double kSigma0Magnitude = 0.2;
const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);
// Below this many kernels the window's bookkeeping costs more than it saves.
constexpr int kWindowMinKernels = 64;
// Discrete normalizers by grid cell: a plain array up to this many cells.
constexpr double kMaxArrayCells = 1 << 16;

}  // namespace

ParzenEstimator::ParzenEstimator(std::vector<ParzenDimension> dimensions,
                                 const Eigen::MatrixXd& observations,
                                 const Eigen::VectorXd& weights,
                                 const ParzenEstimatorOptions& options, const KernelMasses* masses)
    : dimensions_(std::move(dimensions)), options_(options) {
  const int n = static_cast<int>(observations.rows());
  const int d = static_cast<int>(dimensions_.size());
  assert(observations.cols() == d || n == 0);
  assert(weights.size() == n);
  assert(masses == nullptr || (options_.multivariate && masses->log_masses.size() == n));
  use_prior_ = options_.consider_prior || n == 0;
  const int n_kernels = n + (use_prior_ ? 1 : 0);

  Eigen::ArrayXd w(n_kernels);
  w.head(n) = weights.array();
  if (use_prior_) w(n) = options_.prior_weight;
  w /= w.sum();
  log_weights_ = w.log();
  cumulative_weights_.resize(n_kernels);
  double cumulative = 0.0;
  for (int k = 0; k < n_kernels; ++k) {
    cumulative += w(k);
    cumulative_weights_[k] = cumulative;
  }

  mus_.assign(d, Eigen::ArrayXd());
  sigmas_.assign(d, Eigen::ArrayXd());
  inv_sigmas_.assign(d, Eigen::ArrayXd());
  log_categorical_.assign(d, RowArray());
  common_sigmas_.assign(d, 0.0);
  kernel_cells_.assign(d, std::vector<int>());
  gather_cells_.assign(d, std::vector<int>());
  off_grid_kernels_.assign(d, std::vector<int>());
  log_constant_ = log_weights_;
  // Multivariate: the observation kernels' width in each dimension.
  const std::vector<double> widths = options_.multivariate
                                         ? multivariate_widths(dimensions_, n, options_)
                                         : std::vector<double>(d, 0.0);
  std::vector<int> by_centre;
  for (int j = 0; j < d; ++j) {
    const double* column = n > 0 ? observations.col(j).data() : nullptr;
    if (dimensions_[j].kind == DimensionKind::kCategorical) {
      init_categorical(j, column, n);
    } else {
      by_centre = init_numerical(j, column, n, widths[j]);
    }
  }
  if (options_.multivariate && n > 0) {
    // The observation kernels' continuous truncation masses, one log per kernel.
    if (masses != nullptr) {
      log_constant_.head(n) -= masses->log_masses;
      for (int j = 0; j < d; ++j) {
        if (dimensions_[j].kind != DimensionKind::kContinuous) continue;
        error_bound_ += std::abs(std::log(widths[j] / masses->widths[j]));
      }
    } else {
      Eigen::ArrayXd log_masses;
      continuous_log_masses(dimensions_, widths, observations, log_masses);
      log_constant_.head(n) -= log_masses;
    }
  }
  init_window(std::move(by_centre));
  init_shared_widths(observations, widths);
}

std::vector<double> ParzenEstimator::multivariate_widths(
    const std::vector<ParzenDimension>& dimensions, int n_observations,
    const ParzenEstimatorOptions& options) {
  const double n_obs = std::max(n_observations, 1);
  const double sigma0 =
      kSigma0Magnitude * std::pow(n_obs, -1.0 / (static_cast<double>(dimensions.size()) + 4.0));
  const int n_kernels = n_observations + (options.consider_prior || n_observations == 0 ? 1 : 0);
  std::vector<double> widths(dimensions.size(), 0.0);
  for (size_t j = 0; j < dimensions.size(); ++j) {
    if (dimensions[j].kind == DimensionKind::kCategorical) continue;
    const double range = dimensions[j].high - dimensions[j].low;
    // The "magic clip" keeps kernels from collapsing onto one point early in a study.
    const double min_sigma =
        options.consider_magic_clip ? range / std::min(100.0, 1.0 + n_kernels) : kEps;
    widths[j] = std::min(std::max(sigma0 * range, min_sigma), range);
  }
  return widths;
}

void ParzenEstimator::continuous_log_masses(const std::vector<ParzenDimension>& dimensions,
                                            const std::vector<double>& widths,
                                            const Eigen::MatrixXd& centres, Eigen::ArrayXd& out) {
  // The masses multiplied over the dimensions, so that each kernel takes one log instead of one
  // per dimension; every factor is at least 0.01, so the product is folded into logs every
  // kFoldEvery dimensions, long before it could underflow.
  constexpr int kFoldEvery = 100;
  const Eigen::Index n = centres.rows();
  Eigen::ArrayXd product = Eigen::ArrayXd::Ones(n);
  Eigen::ArrayXd log_rest = Eigen::ArrayXd::Zero(n);
  int n_multiplied = 0;
  for (size_t j = 0; j < dimensions.size(); ++j) {
    const ParzenDimension& dim = dimensions[j];
    if (dim.kind != DimensionKind::kContinuous) continue;
    multiply_kept_masses(centres.col(static_cast<Eigen::Index>(j)).data(), n, widths[j], dim.low,
                         dim.high, product.data(), log_rest.data());
    if (++n_multiplied % kFoldEvery == 0) {
      log_rest += product.log();
      product.setOnes();
    }
  }
  out = product.log() + log_rest;
}

void ParzenEstimator::init_window(std::vector<int> by_centre) {
  if (n_dimensions() != 1 || dimensions_[0].kind == DimensionKind::kCategorical ||
      n_kernels() < kWindowMinKernels) {
    return;
  }
  const ParzenDimension& dim = dimensions_[0];
  const Eigen::ArrayXd& mus = mus_[0];
  const Eigen::ArrayXd& sigmas = sigmas_[0];
  const int n_kernels = this->n_kernels();
  // Kernels up to the 90th percentile of widths are narrow: the cap stays near the typical
  // width, so the window stays small, and at most a tenth of the kernels is always evaluated.
  std::vector<double> widths(sigmas.data(), sigmas.data() + n_kernels);
  auto nth = widths.begin() + n_kernels * 9 / 10;
  std::nth_element(widths.begin(), nth, widths.end());
  window_sigma_cap_ = *nth;
  window_bound_ = -std::numeric_limits<double>::infinity();
  if (by_centre.empty()) {
    by_centre.resize(n_kernels);
    std::iota(by_centre.begin(), by_centre.end(), 0);
    std::sort(by_centre.begin(), by_centre.end(), [&](int a, int b) { return mus(a) < mus(b); });
  }
  for (int k : by_centre) {
    if (sigmas(k) > window_sigma_cap_) {
      wide_kernels_.push_back(k);
      continue;
    }
    window_order_.push_back(k);
    // A cell's mass is at most min(1, step * the kernel's peak density); that bound (<= 0) is
    // worth a log only for a kernel that could raise the maximum.
    if (log_constant_(k) <= window_bound_) continue;
    const double peak = dim.kind == DimensionKind::kDiscrete
                            ? std::min(0.0, std::log(dim.step / sigmas(k)) - kHalfLog2Pi)
                            : 0.0;
    window_bound_ = std::max(window_bound_, log_constant_(k) + peak);
  }
  const Eigen::Index n_narrow = static_cast<Eigen::Index>(window_order_.size());
  window_mus_.resize(window_order_.size());
  window_inv_sigmas_.resize(n_narrow);
  window_log_constants_.resize(n_narrow);
  for (Eigen::Index p = 0; p < n_narrow; ++p) {
    const int k = window_order_[p];
    window_mus_[p] = mus(k);
    window_inv_sigmas_(p) = inv_sigmas_[0](k);
    window_log_constants_(p) = log_constant_(k);
  }
}

std::vector<int> ParzenEstimator::init_numerical(int j, const double* column, int n,
                                                 double multivariate_width) {
  const ParzenDimension& dim = dimensions_[j];
  const double low = dim.low;
  const double high = dim.high;
  const double range = high - low;
  const int n_kernels = n + (use_prior_ ? 1 : 0);

  Eigen::ArrayXd mus(n_kernels);
  mus.head(n) = Eigen::Map<const Eigen::ArrayXd>(column, n);
  if (use_prior_) mus(n) = 0.5 * (low + high);

  Eigen::ArrayXd sigmas(n_kernels);
  std::vector<int> order;
  if (options_.multivariate) {
    // One width for every observation kernel, already clipped; the prior's is the range. Set
    // as constants: at 10,000 kernels, passes over these arrays are much of a build.
    const double sigma = multivariate_width;
    sigmas.setConstant(sigma);
    inv_sigmas_[j].setConstant(n_kernels, 1.0 / sigma);
    if (use_prior_) {
      sigmas(n) = range;
      inv_sigmas_[j](n) = 1.0 / range;
    }
    common_sigmas_[j] = n > 0 ? sigma : sigmas(0);
  } else {
    // Each kernel is as wide as the larger gap to its sorted neighbours (the support's ends
    // count as neighbours).
    // Ties (integer params) keep kernel order, so that the widths do not depend on the sort
    // algorithm; (centre, index) pairs sort faster than indices compared through the centres.
    // Observations that come sorted (see TpeSampler) need only the prior put in its place.
    order.resize(n_kernels);
    if (std::is_sorted(mus.data(), mus.data() + n)) {
      std::iota(order.begin(), order.begin() + n, 0);
      if (use_prior_) {
        const auto at = std::upper_bound(mus.data(), mus.data() + n, mus(n)) - mus.data();
        order.insert(order.begin() + at, n);
        order.pop_back();
      }
    } else {
      std::vector<std::pair<double, int>> keyed(n_kernels);
      for (int k = 0; k < n_kernels; ++k) keyed[k] = {mus(k), k};
      std::sort(keyed.begin(), keyed.end());
      for (int i = 0; i < n_kernels; ++i) order[i] = keyed[i].second;
    }
    std::vector<double> with_ends(n_kernels + 2);
    with_ends.front() = low;
    with_ends.back() = high;
    for (int i = 0; i < n_kernels; ++i) with_ends[i + 1] = mus(order[i]);
    std::vector<double> sorted_sigmas(n_kernels);
    for (int i = 0; i < n_kernels; ++i) {
      sorted_sigmas[i] =
          std::max(with_ends[i + 1] - with_ends[i], with_ends[i + 2] - with_ends[i + 1]);
    }
    // Without endpoints, the outermost kernels look only inwards.
    const int m = n_kernels + 2;
    if (!options_.consider_endpoints && m >= 4) {
      sorted_sigmas.front() = with_ends[2] - with_ends[1];
      sorted_sigmas.back() = with_ends[m - 2] - with_ends[m - 3];
    }
    for (int i = 0; i < n_kernels; ++i) sigmas(order[i]) = sorted_sigmas[i];
    // The "magic clip" keeps kernels from collapsing onto one point early in a study.
    const double max_sigma = range;
    const double min_sigma =
        options_.consider_magic_clip ? range / std::min(100.0, 1.0 + n_kernels) : kEps;
    sigmas = sigmas.max(min_sigma).min(max_sigma);
    if (use_prior_) sigmas(n) = range;
    inv_sigmas_[j] = sigmas.inverse();
    common_sigmas_[j] = n > 0 ? sigmas.head(n).minCoeff() : sigmas(0);
  }
  if (dim.kind == DimensionKind::kContinuous && options_.multivariate && n > 0) {
    // One width for every observation kernel: its log once; their masses are the constructor's
    // (continuous_log_masses); the prior alone as below.
    const double sigma = sigmas(0);
    log_constant_.head(n) -= (options_.normalized_kernels ? std::log(sigma) : 0.0) + kHalfLog2Pi;
    if (use_prior_) {
      log_constant_(n) -= (options_.normalized_kernels ? std::log(sigmas(n)) : 0.0) +
                          log_normalizer((low - mus(n)) / sigmas(n), (high - mus(n)) / sigmas(n)) +
                          kHalfLog2Pi;
    }
  } else if (dim.kind == DimensionKind::kContinuous) {
    Eigen::ArrayXd log_width_mass;
    log_width_times_mass(mus, sigmas, low, high, log_width_mass);
    if (!options_.normalized_kernels) log_width_mass -= sigmas.log();
    log_constant_ -= log_width_mass + kHalfLog2Pi;
  } else {
    // Discrete kernels of the common width sit on few grid points: one normalizer per cell.
    std::vector<int>& cells = kernel_cells_[j];
    cells.resize(n_kernels);
    const double n_cells = dim.n_cells();
    for (int k = 0; k < n_kernels; ++k) {
      cells[k] = sigmas(k) == common_sigmas_[j] ? dim.cell_of(mus(k), n_cells) : -1;
    }
    std::vector<int>& gather = gather_cells_[j];
    gather.resize(n_kernels);
    for (int k = 0; k < n_kernels; ++k) {
      gather[k] = cells[k];
      if (cells[k] < 0) {
        // Past kMaxArrayCells cells log_pdf takes no rows, and the index is never used.
        gather[k] = static_cast<int>(std::min(n_cells, kMaxArrayCells));
        off_grid_kernels_[j].push_back(k);
      }
    }
    // By cell in a plain array for grids of up to kMaxArrayCells cells, else in a hash map.
    std::vector<double> by_cell_array(n_cells <= kMaxArrayCells ? static_cast<size_t>(n_cells) : 0,
                                      std::numeric_limits<double>::quiet_NaN());
    std::unordered_map<int, double> by_cell_map;
    for (int k = 0; k < n_kernels; ++k) {
      const double a = (low - mus(k)) * inv_sigmas_[j](k);
      const double b = (high - mus(k)) * inv_sigmas_[j](k);
      if (cells[k] < 0) {
        log_constant_(k) -= log_normalizer(a, b);
        continue;
      }
      double* normalizer;
      if (!by_cell_array.empty()) {
        normalizer = &by_cell_array[static_cast<size_t>(cells[k])];
      } else {
        auto [it, fresh] =
            by_cell_map.try_emplace(cells[k], std::numeric_limits<double>::quiet_NaN());
        normalizer = &it->second;
      }
      if (std::isnan(*normalizer)) *normalizer = log_normalizer(a, b);
      log_constant_(k) -= *normalizer;
    }
  }
  mus_[j] = std::move(mus);
  sigmas_[j] = std::move(sigmas);
  return order;
}

void ParzenEstimator::init_categorical(int j, const double* column, int n) {
  const int n_choices = dimensions_[j].n_choices;
  const int n_kernels = n + (use_prior_ ? 1 : 0);
  // Every kernel spreads prior_weight over the choices on top of its own observation; the
  // prior kernel is uniform. An observation kernel's column depends on its choice alone: one
  // column of logs per choice (column n_choices is the prior's), copied to the kernels.
  const Eigen::ArrayXXd log_p = categorical_log_probabilities(n_choices, categorical_smoothing(n));
  RowArray& out = log_categorical_[j];
  out.resize(n_choices, n_kernels);
  for (int k = 0; k < n; ++k) out.col(k) = log_p.col(static_cast<int>(column[k]));
  if (use_prior_) out.col(n) = log_p.col(n_choices);
}

Eigen::ArrayXXd ParzenEstimator::categorical_probabilities(int dimension) const {
  return log_categorical_[dimension].exp();
}

void ParzenEstimator::sample(std::mt19937_64& rng, int n, Eigen::MatrixXd& out) const {
  const int d = n_dimensions();
  out.resize(n, d);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int i = 0; i < n; ++i) {
    const double u = uniform(rng);
    const auto it = std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), u);
    const int k = std::min(static_cast<int>(it - cumulative_weights_.begin()), n_kernels() - 1);
    for (int j = 0; j < d; ++j) {
      const ParzenDimension& dim = dimensions_[j];
      if (dim.kind == DimensionKind::kCategorical) {
        const double v = uniform(rng);
        double cumulative = 0.0;
        int choice = dim.n_choices - 1;
        for (int c = 0; c < dim.n_choices; ++c) {
          cumulative += std::exp(log_categorical_[j](c, k));
          if (v < cumulative) {
            choice = c;
            break;
          }
        }
        out(i, j) = choice;
      } else {
        const double mu = mus_[j](k);
        const double sigma = sigmas_[j](k);
        const double z = truncated_standard_normal(rng, (dim.low - mu) / sigma,
                                                   (dim.high - mu) / sigma);
        out(i, j) = std::clamp(mu + sigma * z, dim.low, dim.high);
      }
    }
  }
}

}  // namespace hpo::tpe
