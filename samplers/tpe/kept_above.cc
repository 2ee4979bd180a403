#include "samplers/tpe/kept_above.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "samplers/tpe/kept_mass_cache.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);
constexpr double kInf = std::numeric_limits<double>::infinity();
// Slots are added in blocks, so that a growing study reallocates the layout rarely.
constexpr int kMinCapacity = 64;
// Added to each capacity, so that the dimensions' arrays never lie a power of two apart: the
// scoring loop reads one stream per dimension, and streams 2^k bytes apart share cache sets.
// A multiple of SharedWidthKernels::kBatch.
constexpr int kStridePad = 20;

int n_values(const ParzenDimension& dim) {
  if (dim.kind == DimensionKind::kCategorical) return dim.n_choices;
  const double cells = dim.n_cells();
  return cells > KeptAboveEstimator::kMaxClasses ? KeptAboveEstimator::kMaxClasses + 1
                                                 : static_cast<int>(cells);
}

}  // namespace

bool KeptAboveEstimator::supports(const std::vector<ParzenDimension>& dimensions,
                                  const ParzenEstimatorOptions& options) {
  if (!options.multivariate || dimensions.size() < 2) return false;
  return std::all_of(dimensions.begin(), dimensions.end(), [](const ParzenDimension& dim) {
    return dim.kind == DimensionKind::kContinuous || n_values(dim) <= kMaxClasses;
  });
}

KeptAboveEstimator::KeptAboveEstimator(std::vector<ParzenDimension> dimensions,
                                       const ParzenEstimatorOptions& options)
    : dimensions_(std::move(dimensions)), options_(options), use_prior_(options.consider_prior) {
  assert(supports(dimensions_, options_));
  const int d = static_cast<int>(dimensions_.size());
  std::vector<int> gathered, classes(d, 0);
  for (int j = 0; j < d; ++j) {
    const ParzenDimension& dim = dimensions_[j];
    if (dim.kind == DimensionKind::kContinuous) {
      layout_.centre_dims.push_back(j);
      continue;
    }
    (dim.kind == DimensionKind::kDiscrete ? discrete_dims_ : categorical_dims_).push_back(j);
    gathered.push_back(j);
    classes[j] = n_values(dim);
  }
  layout_.n_centre_dims = static_cast<int>(layout_.centre_dims.size());
  // A class per value: a kernel's key never changes. The tables are planned for the many
  // kernels this estimator is kept for.
  layout_.tables = plan_tables(gathered, classes, 1 << 14);
  for (GatheredTable& table : layout_.tables) {
    for (int j : table.dims) {
      std::vector<int>& values = table.values.emplace_back(classes[j]);
      for (int v = 0; v < classes[j]; ++v) values[v] = v;
    }
  }
  cells_.assign(discrete_dims_.size(), {});
  if (use_prior_) {
    // The prior kernel alone: an estimator of no observation is the prior with weight 1.
    prior_ = std::make_shared<const ParzenEstimator>(
        dimensions_, Eigen::MatrixXd(0, d), Eigen::VectorXd(0), options_);
  }
}

void KeptAboveEstimator::grow(int capacity) {
  const int old = layout_.stride;
  auto regrow = [&](auto& array, int rows, auto fill) {
    std::decay_t<decltype(array)> bigger(static_cast<size_t>(capacity) * rows, fill);
    for (int r = 0; r < rows; ++r) {
      std::copy_n(array.begin() + static_cast<ptrdiff_t>(r) * old, n_live_,
                  bigger.begin() + static_cast<ptrdiff_t>(r) * capacity);
    }
    array = std::move(bigger);
  };
  regrow(layout_.centres, layout_.n_centre_dims, 0.0);
  regrow(layout_.keys, static_cast<int>(layout_.tables.size()), 0);
  layout_.constants.resize(capacity, -kInf);
  layout_.stride = capacity;
  slot_numbers_.resize(capacity, -1);
  rows_.resize(static_cast<size_t>(capacity) * dimensions_.size(), 0.0);
  log_masses_.resize(capacity, 0.0);
  scaled_norms_.resize(capacity, 0.0);
  for (std::vector<int>& cells : cells_) cells.resize(capacity, 0);
}

bool KeptAboveEstimator::add_slot(const Eigen::MatrixXd& observations, Eigen::Index row,
                                  int number) {
  if (number < 0 ||
      (static_cast<size_t>(number) < slot_of_number_.size() && slot_of_number_[number] >= 0)) {
    return false;  // a kernel here already
  }
  const size_t d = dimensions_.size();
  std::vector<int> value(dimensions_.size(), 0);
  for (int j : discrete_dims_) {
    const ParzenDimension& dim = dimensions_[j];
    value[j] = dim.cell_of(observations(row, j));
    if (value[j] < 0) return false;
  }
  for (int j : categorical_dims_) value[j] = static_cast<int>(observations(row, j));
  if (n_live_ == layout_.stride) grow(std::max(kMinCapacity, 2 * n_live_) + kStridePad);
  const int slot = n_live_++;
  const size_t stride = static_cast<size_t>(layout_.stride);
  double scaled_norm = 0.0;
  for (int s = 0; s < layout_.n_centre_dims; ++s) {
    const int j = layout_.centre_dims[s];
    const double v = observations(row, j) - dimensions_[j].midpoint();
    layout_.centres[s * stride + slot] = v;
    const double scaled = v / (dimensions_[j].high - dimensions_[j].low);
    scaled_norm += scaled * scaled;
  }
  scaled_norms_[slot] = scaled_norm;
  for (size_t t = 0; t < layout_.tables.size(); ++t) {
    const GatheredTable& table = layout_.tables[t];
    int key = 0;
    for (size_t q = table.dims.size(); q-- > 0;) {
      key = key * static_cast<int>(table.values[q].size()) + value[table.dims[q]];
    }
    layout_.keys[t * stride + slot] = key;
  }
  for (size_t dd = 0; dd < discrete_dims_.size(); ++dd) cells_[dd][slot] = value[discrete_dims_[dd]];
  for (size_t j = 0; j < d; ++j) rows_[slot * d + j] = observations(row, static_cast<Eigen::Index>(j));
  slot_numbers_[slot] = number;
  if (static_cast<size_t>(number) >= slot_of_number_.size()) {
    slot_of_number_.resize(static_cast<size_t>(number) + 1, -1);
  }
  slot_of_number_[number] = slot;
  if (!mass_widths_.empty()) {
    // At the reference widths of the others, so that one bound covers them all.
    const Eigen::MatrixXd centre = observations.row(row);
    Eigen::ArrayXd log_mass;
    ParzenEstimator::continuous_log_masses(dimensions_, mass_widths_, centre, log_mass);
    log_masses_[slot] = log_mass(0);
  }
  return true;
}

bool KeptAboveEstimator::remove_slot(int number) {
  if (number < 0 || static_cast<size_t>(number) >= slot_of_number_.size() ||
      slot_of_number_[number] < 0) {
    return false;  // not a kernel here: the caller's rows are not this estimator's
  }
  const int slot = slot_of_number_[number];
  const int last = --n_live_;
  slot_of_number_[number] = -1;
  if (slot == last) return true;
  const size_t stride = static_cast<size_t>(layout_.stride);
  for (int s = 0; s < layout_.n_centre_dims; ++s) {
    layout_.centres[s * stride + slot] = layout_.centres[s * stride + last];
  }
  for (size_t t = 0; t < layout_.tables.size(); ++t) {
    layout_.keys[t * stride + slot] = layout_.keys[t * stride + last];
  }
  for (std::vector<int>& cells : cells_) cells[slot] = cells[last];
  log_masses_[slot] = log_masses_[last];
  scaled_norms_[slot] = scaled_norms_[last];
  const size_t d = dimensions_.size();
  std::copy_n(rows_.begin() + static_cast<ptrdiff_t>(last * d), d,
              rows_.begin() + static_cast<ptrdiff_t>(slot * d));
  slot_numbers_[slot] = slot_numbers_[last];
  slot_of_number_[slot_numbers_[slot]] = slot;
  return true;
}

void KeptAboveEstimator::recompute_masses() {
  const size_t d = dimensions_.size();
  Eigen::MatrixXd centres(n_live_, static_cast<Eigen::Index>(d));
  for (int slot = 0; slot < n_live_; ++slot) {
    for (size_t j = 0; j < d; ++j) {
      centres(slot, static_cast<Eigen::Index>(j)) = rows_[static_cast<size_t>(slot) * d + j];
    }
  }
  Eigen::ArrayXd log_masses;
  ParzenEstimator::continuous_log_masses(dimensions_, widths_, centres, log_masses);
  std::copy_n(log_masses.data(), n_live_, log_masses_.begin());
  mass_widths_ = widths_;
}

bool KeptAboveEstimator::update(const std::vector<int>& numbers, const std::vector<int>& joined,
                                const Eigen::MatrixXd& joined_rows, const std::vector<int>& left,
                                const Eigen::ArrayXd& log_weights, double total_weight) {
  assert(joined_rows.rows() == static_cast<Eigen::Index>(joined.size()));
  for (int number : left) {
    if (!remove_slot(number)) return false;
  }
  for (size_t r = 0; r < joined.size(); ++r) {
    if (!add_slot(joined_rows, static_cast<Eigen::Index>(r), joined[r])) return false;
  }
  if (n_live_ != static_cast<int>(numbers.size())) return false;
  return set_constants(numbers, log_weights, total_weight);
}

Eigen::MatrixXd KeptAboveEstimator::observations(const std::vector<int>& numbers) const {
  const size_t d = dimensions_.size();
  Eigen::MatrixXd out(static_cast<Eigen::Index>(numbers.size()), static_cast<Eigen::Index>(d));
  for (size_t p = 0; p < numbers.size(); ++p) {
    const double* row = rows_.data() + static_cast<size_t>(slot_of_number_[numbers[p]]) * d;
    for (size_t j = 0; j < d; ++j) {
      out(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(j)) = row[j];
    }
  }
  return out;
}

bool KeptAboveEstimator::set_constants(const std::vector<int>& numbers,
                                       const Eigen::ArrayXd& log_weights, double total_weight) {
  const int n = n_live_;
  widths_ = ParzenEstimator::multivariate_widths(dimensions_, n, options_);
  if (n == 0 || !shared_width_exact_enough(dimensions_, widths_)) return false;
  double drift = 0.0;
  if (!mass_widths_.empty()) {
    for (int j : layout_.centre_dims) drift += std::abs(std::log(widths_[j] / mass_widths_[j]));
  }
  if (mass_widths_.empty() || !(drift <= KeptMassCache::kMaxDrift)) {
    recompute_masses();
    drift = 0.0;
  }
  error_bound_ = drift + kRoundingAllowance;

  // Per kernel: log weight, minus its continuous and discrete normalizers and its mass.
  const double total = total_weight + (use_prior_ ? options_.prior_weight : 0.0);
  double shared = -std::log(total);
  for (int j : layout_.centre_dims) {
    shared -= (options_.normalized_kernels ? std::log(widths_[j]) : 0.0) + kHalfLog2Pi;
  }
  std::vector<std::vector<double>> normalizers(discrete_dims_.size());
  for (size_t dd = 0; dd < discrete_dims_.size(); ++dd) {
    const ParzenDimension& dim = dimensions_[discrete_dims_[dd]];
    const double width = widths_[discrete_dims_[dd]];
    normalizers[dd].resize(n_values(dim));
    for (size_t cell = 0; cell < normalizers[dd].size(); ++cell) {
      const double mu = dim.low + (static_cast<double>(cell) + 0.5) * dim.step;
      normalizers[dd][cell] = log_normalizer((dim.low - mu) / width, (dim.high - mu) / width);
    }
  }
  // The widths' common fraction of the ranges, if they have one (else |v|^2 / 2 per dimension).
  const double fraction = layout_.centre_dims.empty()
                              ? 1.0
                              : widths_[layout_.centre_dims[0]] /
                                    (dimensions_[layout_.centre_dims[0]].high -
                                     dimensions_[layout_.centre_dims[0]].low);
  bool common_fraction = true;
  for (int j : layout_.centre_dims) {
    const double range = dimensions_[j].high - dimensions_[j].low;
    common_fraction = common_fraction && std::abs(widths_[j] - fraction * range) <= 1e-15 * widths_[j];
  }
  const double norm_scale = common_fraction ? 0.5 / (fraction * fraction) : 0.0;
  double* constants = layout_.constants.data();
  for (int p = 0; p < n; ++p) {
    const int slot = slot_of_number_[numbers[p]];
    double c = log_weights(p) + shared - log_masses_[slot] - norm_scale * scaled_norms_[slot];
    for (size_t dd = 0; dd < discrete_dims_.size(); ++dd) c -= normalizers[dd][cells_[dd][slot]];
    constants[slot] = c;
  }
  if (!common_fraction) {
    const size_t stride = static_cast<size_t>(layout_.stride);
    Eigen::Map<Eigen::ArrayXd> by_slot(constants, n);
    for (int s = 0; s < layout_.n_centre_dims; ++s) {
      const Eigen::Map<const Eigen::ArrayXd> v(layout_.centres.data() + s * stride, n);
      by_slot -= 0.5 * (v / widths_[layout_.centre_dims[s]]).square();
    }
  }
  layout_.n_kernels = (n + SharedWidthKernels::kBatch - 1) / SharedWidthKernels::kBatch *
                      SharedWidthKernels::kBatch;
  std::fill(constants + n, constants + layout_.n_kernels, -kInf);

  log_prior_weight_ = std::log(options_.prior_weight) - std::log(total);
  scales_ = shared_width_scales(dimensions_, widths_, n,
                                ParzenEstimator::categorical_smoothing(options_, n));
  return true;
}

void KeptAboveEstimator::log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const {
  std::vector<double> top, sum;
  shared_width_log_sum_exp(dimensions_, layout_, scales_, samples, best_log_pdf_path(), top, sum);
  Eigen::VectorXd prior;
  if (use_prior_) prior_->log_pdf(samples, prior);
  out.resize(samples.rows());
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    if (use_prior_) add_log_sum_exp_term(log_prior_weight_ + prior(i), top[i], sum[i]);
    out(i) = log_sum_exp_result(top[i], sum[i]);
  }
}

}  // namespace hpo::tpe
