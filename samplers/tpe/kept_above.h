// Multivariate TPE's "above" estimator, kept across asks.
//
// In a growing study each ask's above side differs from the last one's by a trial or two (the new
// trial, or one pushed out of the best 25), yet every kernel's width, weight and truncation mass
// moves a little with the count. A ParzenEstimator built anew costs several passes and
// allocations over all n kernels per ask, about three times the scoring itself at 10,000 trials.
// This keeps what does not depend on the count (each kernel's centre, cells, choices and table
// keys in the layout of parzen_shared_width.h, and its truncation mass at reference widths, as
// KeptMassCache does), moves the kernels that join or leave, and per ask recomputes each
// kernel's constant (weight, normalizers, |v|^2 / 2) in one pass.
//
// Its log densities are a fresh ParzenEstimator's for the same rows and weights, up to
// log_pdf_error_bound: the masses' drift (as ParzenEstimator's with KernelMasses) plus the
// rounding of another summation order.
#pragma once

#include <memory>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/parzen_shared_width.h"

namespace hpo::tpe {

// Copyable (the sampler copies one that a concurrent ask still reads); const methods may run
// concurrently.
class KeptAboveEstimator {
 public:
  // A discrete grid or categorical of more values than this leaves the estimator to the rebuild
  // path (the tables here have a class per value, not per value in use).
  static constexpr int kMaxClasses = 4096;
  // Allowance for the rounding of summing the kernels in slot order rather than trial order.
  static constexpr double kRoundingAllowance = 1e-10;

  // Whether these dimensions and options can be kept: multivariate, at least two dimensions,
  // every grid and categorical of at most kMaxClasses values.
  static bool supports(const std::vector<ParzenDimension>& dimensions,
                       const ParzenEstimatorOptions& options);

  // An estimator with no kernel yet. REQUIRES: supports(dimensions, options).
  KeptAboveEstimator(std::vector<ParzenDimension> dimensions, const ParzenEstimatorOptions& options);

  // Brings the kernels to the above rows of trial `numbers` (ascending, as JointSplit's
  // above_numbers): the trials in `left` leave, those in `joined` join (their rows in
  // `joined_rows`, in that order), then every kernel's constant is set for these rows and their
  // weights: `log_weights` (one per row, in row order) and the weights' sum `total_weight`.
  // Returns false, leaving the estimator unusable, when the change does not fit its kernels (a
  // trial leaving that is not one, or joining that is), a joining row is off a discrete grid,
  // or the widths are too narrow for the layout's rounding bound.
  bool update(const std::vector<int>& numbers, const std::vector<int>& joined,
              const Eigen::MatrixXd& joined_rows, const std::vector<int>& left,
              const Eigen::ArrayXd& log_weights, double total_weight);

  // The rows of the trials `numbers` (those of the last update), as a matrix: for the exact
  // ParzenEstimator when the bound could change a choice.
  Eigen::MatrixXd observations(const std::vector<int>& numbers) const;

  // As ParzenEstimator::log_pdf.
  void log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const;
  double log_pdf_error_bound() const { return error_bound_; }
  int n_kernels() const { return n_live_ + (use_prior_ ? 1 : 0); }

 private:
  // Kernel slots are dense: 0 .. n_live_ - 1, a leaving kernel's slot taken by the last one.
  // Both false for a number that is (add) or is not (remove) a kernel here already.
  bool add_slot(const Eigen::MatrixXd& rows, Eigen::Index row, int number);
  bool remove_slot(int number);
  void grow(int capacity);
  // The masses of every kernel again, at the current widths.
  void recompute_masses();
  // Every kernel's constant for the rows `numbers`; false when the layout cannot serve.
  bool set_constants(const std::vector<int>& numbers, const Eigen::ArrayXd& log_weights,
                     double total_weight);

  std::vector<ParzenDimension> dimensions_;
  ParzenEstimatorOptions options_;
  bool use_prior_ = true;
  std::vector<int> discrete_dims_;
  std::vector<int> categorical_dims_;
  std::shared_ptr<const ParzenEstimator> prior_;  // the prior kernel alone, if used

  int n_live_ = 0;
  SharedWidthKernels layout_;  // centres, keys and constants by slot, stride = capacity
  std::vector<double> rows_;                // per slot: its row (d values)
  std::vector<int> slot_numbers_;           // per slot: its trial number
  std::vector<int> slot_of_number_;         // per trial number: its slot, -1 none
  std::vector<std::vector<int>> cells_;     // per discrete dimension (discrete_dims_), per slot
  std::vector<double> log_masses_;          // per slot, at mass_widths_
  // Per slot: sum over continuous dimensions of ((centre - midpoint) / range)^2. The widths are
  // one fraction of each range (Scott's rule, unclipped past a few kernels), so that |v|^2 / 2
  // is this over twice the fraction squared: one multiplication per kernel and ask.
  std::vector<double> scaled_norms_;
  std::vector<double> mass_widths_;         // per dimension; empty until the first masses

  // Per ask (set_constants).
  std::vector<double> widths_;
  SharedWidthScales scales_;
  double log_prior_weight_ = 0.0;  // the prior's share of the weights
  double error_bound_ = 0.0;
};

}  // namespace hpo::tpe
