// The Parzen estimator of TPE: a weighted mixture of kernels, one per observation plus an
// optional prior, over a box of numerical dimensions (truncated Gaussians, continuous or on a
// grid) and categorical dimensions (smoothed one-hot weights).
//
// Pure math on Eigen arrays: it knows nothing of trials or distributions. The sampler maps each
// parameter to a ParzenDimension in a "transformed" space (log params in log space, grids
// widened by half a step on each side) and back.
//
// Reference: Bergstra et al., "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011;
// Falkner et al., "BOHB", ICML 2018 (the multivariate bandwidth). The kernel widths, the prior
// and the magic clip follow Optuna 3.x's _ParzenEstimator.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_dimension.h"
#include "samplers/tpe/parzen_shared_width.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {

struct ParzenEstimatorOptions {
  bool consider_prior = true;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  // Continuous kernels are densities (with their 1/sigma), as in Optuna since 3.5. False leaves
  // out the 1/sigma, as Optuna 3.1's truncated-normal log density does (Optuna issue 5109):
  // log_pdf is then a log density up to a constant, of the mixture whose weights are scaled by
  // the kernels' widths. The sampler chooses (TpeSamplerOptions::normalized_kernels).
  bool normalized_kernels = true;
  // One bandwidth per dimension from Scott's rule (BOHB) instead of per-kernel widths from the
  // distance to the neighbouring observations.
  bool multivariate = false;

  bool operator==(const ParzenEstimatorOptions&) const = default;
};

// Multivariate observation kernels' truncation masses over the continuous dimensions, computed
// ahead of the estimator (KeptMassCache keeps them across asks), possibly at other widths than
// the estimator's own.
struct KernelMasses {
  // Per observation: sum over continuous dimensions of the log mass its kernel keeps inside the
  // support, as ParzenEstimator::continuous_log_masses gives it.
  Eigen::ArrayXd log_masses;
  // Per dimension: the width they were computed at (continuous dimensions; others unused).
  std::vector<double> widths;
};

// Immutable after construction, so const methods may run concurrently.
class ParzenEstimator {
 public:
  // `observations` is n x d (column j in dimension j's transformed space; categorical columns
  // hold choice indices), `weights` has n non-negative entries. With no observation the prior
  // is always used. REQUIRES: dimensions valid (low < high, step > 0 for discrete,
  // n_choices >= 1), values inside their dimension, weights.sum() > 0 unless n == 0.
  // `masses` (multivariate only, n entries) replaces the observation kernels' continuous
  // truncation masses; computed at other widths, they make log_pdf approximate (see
  // log_pdf_error_bound).
  ParzenEstimator(std::vector<ParzenDimension> dimensions, const Eigen::MatrixXd& observations,
                  const Eigen::VectorXd& weights, const ParzenEstimatorOptions& options,
                  const KernelMasses* masses = nullptr);

  // Multivariate: the width of the observation kernels in each dimension (categorical: 0) for
  // n_observations observations, as the constructor sets it (Scott's rule, magic clip).
  static std::vector<double> multivariate_widths(const std::vector<ParzenDimension>& dimensions,
                                                 int n_observations,
                                                 const ParzenEstimatorOptions& options);
  // out(k) = sum over the continuous dimensions j of the log mass a kernel of width widths[j]
  // centred at centres(k, j) keeps inside [low_j, high_j]: exactly what the constructor
  // subtracts for observation k of a multivariate estimator with those widths.
  static void continuous_log_masses(const std::vector<ParzenDimension>& dimensions,
                                    const std::vector<double>& widths,
                                    const Eigen::MatrixXd& centres, Eigen::ArrayXd& out);

  // Fills `out` (resized to n x d) with n draws. Numerical draws lie in [low, high]; discrete
  // draws are not yet rounded to the grid (the caller rounds, as for the transformed space).
  void sample(std::mt19937_64& rng, int n, Eigen::MatrixXd& out) const;

  // out(i) = log density of row i of `samples` (n x d; discrete values on their grid points,
  // categorical values choice indices). Discrete dimensions contribute probability masses.
  // Kernels whose term is more than 45 nats below the largest may be left out of the sum
  // (relative effect below 1e-15). Multivariate estimators take the fastest SIMD path of this
  // CPU (parzen_shared_width.h): the last bits may differ between machines.
  void log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const;
  // The same through the given SIMD path, for tests. REQUIRES: log_pdf_path_available(path).
  void log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out, LogPdfPath path) const;

  // An upper bound on |log_pdf - the log density with masses at the estimator's own widths|:
  // 0 unless `masses` came at other widths. d log(mass)/d log(width) lies in [-1, 0] for a
  // kernel centred inside its support, so the bound is the sum over continuous dimensions of
  // |log(width / the masses' width)|.
  double log_pdf_error_bound() const { return error_bound_; }

  int n_kernels() const { return static_cast<int>(log_weights_.size()); }
  int n_dimensions() const { return static_cast<int>(dimensions_.size()); }
  // Categorical kernels spread prior_weight over the choices, shared among the kernels
  // (observations plus the prior, if any).
  static double categorical_smoothing(const ParzenEstimatorOptions& options, int n_observations) {
    const bool prior = options.consider_prior || n_observations == 0;
    return options.prior_weight / static_cast<double>(n_observations + (prior ? 1 : 0));
  }

  // Kernel parameters, for tests: normalized mixture weights, and per numerical dimension the
  // centres and widths (the prior, if any, is the last kernel).
  Eigen::ArrayXd weights() const { return log_weights_.exp(); }
  const Eigen::ArrayXd& mus(int dimension) const { return mus_[dimension]; }
  const Eigen::ArrayXd& sigmas(int dimension) const { return sigmas_[dimension]; }
  // Categorical dimension: row c holds every kernel's probability of choice c.
  Eigen::ArrayXXd categorical_probabilities(int dimension) const;
  // Whether log_pdf scores kernels through the multivariate fast path (parzen_shared_width.h).
  bool uses_shared_widths() const { return use_shared_; }

 private:
  using RowArray = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // Returns the kernels in order of centre when it sorted them (univariate widths), else nothing.
  // Multivariate continuous dimensions leave the observation kernels' truncation masses to the
  // constructor.
  // `column`: observation j of each kernel (n_observations values); `multivariate_width`: the
  // observation kernels' width (multivariate_widths), unused otherwise.
  std::vector<int> init_numerical(int j, const double* column, int n_observations,
                                  double multivariate_width);
  void init_categorical(int j, const double* column, int n_observations);
  void init_window(std::vector<int> by_centre);
  // Fills shared_ when the fast path applies (multivariate widths; see shared_).
  void init_shared_widths(const Eigen::MatrixXd& observations, const std::vector<double>& widths);
  // log_pdf of one numerical dimension through the window (see window_order_).
  void log_pdf_windowed(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const;
  // log_pdf of one categorical dimension: one sum per choice, shared by the samples.
  void log_pdf_one_categorical(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const;
  // log_pdf through shared_ (parzen_shared_width.cc).
  void log_pdf_shared_widths(const Eigen::MatrixXd& samples, Eigen::VectorXd& out,
                             LogPdfPath path) const;
  // Kernel k's term of the log-sum-exp at row i of `samples`, computed plainly (every cell mass
  // by log_gauss_mass): the fast path's kernels outside shared_'s layout.
  double kernel_term(int k, const Eigen::MatrixXd& samples, Eigen::Index i) const;
  double categorical_smoothing(int n_observations) const {
    return categorical_smoothing(options_, n_observations);
  }

  std::vector<ParzenDimension> dimensions_;
  ParzenEstimatorOptions options_;
  bool use_prior_ = true;
  double error_bound_ = 0.0;
  Eigen::ArrayXd log_weights_;          // per kernel, normalized
  std::vector<double> cumulative_weights_;
  // Numerical dimensions (empty arrays for categorical ones).
  std::vector<Eigen::ArrayXd> mus_;
  std::vector<Eigen::ArrayXd> sigmas_;
  std::vector<Eigen::ArrayXd> inv_sigmas_;
  // Categorical dimensions: log probability, row = choice, column = kernel.
  std::vector<RowArray> log_categorical_;
  // Per kernel: log weight minus every continuous and discrete normalizer, so that log_pdf adds
  // only the sample-dependent terms.
  Eigen::ArrayXd log_constant_;
  // Per numerical dimension: the smallest width of an observation's kernel. Discrete kernels of
  // that width centred on the grid share their cell masses by grid offset (TPE's kernels mostly
  // sit at the magic clip's floor; multivariate ones all have one width).
  std::vector<double> common_sigmas_;
  // Per discrete dimension: each kernel's grid cell (0 = the first) when it has the common width
  // and sits on the grid, else -1. A sample's cell minus a kernel's cell indexes the shared
  // CellMassTable without any floating-point rounding per kernel.
  std::vector<std::vector<int>> kernel_cells_;
  // The same with the cell count (one past the last cell) for -1, and those kernels' indices in
  // order: log_pdf gathers every kernel's mass from a per-sample row over the cells whose last
  // entry is 0, then adds the listed kernels' masses exactly.
  std::vector<std::vector<int>> gather_cells_;
  std::vector<std::vector<int>> off_grid_kernels_;

  // One numerical dimension with many kernels (univariate TPE) is evaluated through a window:
  // "narrow" kernels (width <= window_sigma_cap_) sorted by centre, of which only those near a
  // sample can reach within kWindowCutoff nats of the largest term of the log-sum-exp; the
  // "wide" ones (the prior, kernels in sparse regions) are always evaluated. Empty otherwise.
  std::vector<int> window_order_;    // narrow kernels by centre
  std::vector<double> window_mus_;   // their centres, ascending
  Eigen::ArrayXd window_inv_sigmas_;  // their 1/sigma and log_constant_, in the same order
  Eigen::ArrayXd window_log_constants_;
  std::vector<int> wide_kernels_;

  // Multivariate TPE: the observation kernels share one width per continuous dimension, so with
  // u = (x - centre) / sigma and v = (mu - centre) / sigma per dimension the sum of squared
  // distances is |u|^2 + |v|^2 - 2 u.v, and each discrete or categorical factor depends on the
  // kernel's cell or choice only: log_pdf scores such kernels in SIMD lanes of samples
  // (parzen_shared_width.h). use_shared_ is false when that does not apply.
  bool use_shared_ = false;
  SharedWidthKernels shared_;
  SharedWidthScales scales_;
  // Kernels left to the exact per-kernel term: the prior (its own widths) and any observation
  // kernel off a discrete grid.
  std::vector<int> other_kernels_;
  double window_sigma_cap_ = 0.0;
  double window_bound_ = 0.0;        // max over narrow kernels of a term's upper bound at z = 0
};

}  // namespace hpo::tpe
