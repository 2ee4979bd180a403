// Multivariate log_pdf's fast path, where the observation kernels share one width per continuous
// dimension (Scott's rule). Each kernel's term at a sample x is
//   constant_k - |u|^2 / 2 + u.v_k + sum over tables of table[key_k]
// with u = (x - centre) / sigma and v_k = (mu_k - centre) / sigma per continuous dimension
// (computed as ((x - centre) / sigma^2) . (mu_k - centre), so that the layout holds the kernels'
// centres and not values that change with the width), and the discrete and categorical
// dimensions' factors looked up in per-sample tables by the kernel's cell or choice. Samples go
// in SIMD lanes (log_pdf_lanes of them per group), so that a kernel's table entries for the
// whole group are one load and each sample's running maximum and sum of its log-sum-exp stay in
// their lanes.
//
// Two users: ParzenEstimator (built per estimator) and KeptAboveEstimator (kept across asks,
// kernels joining and leaving one at a time).
//
// Two implementations of the loop: AVX2 with FMA (chosen at run time when the CPU has both) and
// portable SSE2. They round differently (FMA), so log_pdf's last bits depend on the CPU: results
// are reproducible on one machine, not across machines. Both are tested on the build machine.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_dimension.h"

namespace hpo::tpe {

enum class LogPdfPath : int { kPortable, kAvx2Fma };

// kAvx2Fma when this CPU has AVX2 and FMA (checked once), else kPortable.
LogPdfPath best_log_pdf_path();
bool log_pdf_path_available(LogPdfPath path);
// Samples scored together by `path`'s loop.
int log_pdf_lanes(LogPdfPath path);

// The discrete and categorical dimensions gathered into one per-sample table: an entry per
// combination of the kernels' cells (discrete) or choices (categorical), numbered densely per
// dimension ("classes"). Entry e of a group's table holds, per lane, the sum over the table's
// dimensions of the factor of that class's kernels at the lane's sample.
struct GatheredTable {
  std::vector<int> dims;
  // Per dimension: each class's grid cell (discrete) or choice (categorical).
  std::vector<std::vector<int>> values;
  int n_entries = 1;  // product of the class counts; key = c0 + n0 * (c1 + n1 * (c2 ...))
};

// Groups the gathered dimensions `dims` (with n_classes[j] classes each, indexed by dimension)
// into tables: the dimensions with the fewest classes first, each joining the last table while
// it stays under a limit that grows with the kernels (a group's tables cost entries x lanes
// additions to fill, and each table saves an addition per kernel and lane). Values are left
// empty.
std::vector<GatheredTable> plan_tables(std::vector<int> dims, const std::vector<int>& n_classes,
                                       int n_kernels);

// The observation kernels of the fast path in the loops' layout, dimension-major so that
// consecutive kernels' values are adjacent: kernel k's centre minus the dimension's midpoint for
// centre dimension s at centres[s * stride + k], its key for table t at keys[t * stride + k].
// The loops take kBatch kernels at a time: the count is padded to a multiple of it with kernels
// whose constant is -infinity.
struct SharedWidthKernels {
  static constexpr int kBatch = 4;
  int n_kernels = 0;  // padded
  int stride = 0;     // >= n_kernels
  int n_centre_dims = 0;
  std::vector<double> centres;
  std::vector<double> constants;  // log weight and normalizers minus |v|^2 / 2
  std::vector<int> keys;
  std::vector<GatheredTable> tables;
  // The continuous dimensions in centre order.
  std::vector<int> centre_dims;
};

// What the fast path reads besides the layout, for the kernels' current width.
struct SharedWidthScales {
  // Per dimension: the observation kernels' width (categorical: unused).
  std::vector<double> widths;
  // Per discrete dimension: log mass of the cell |offset| cells from a kernel's own, for every
  // offset on the grid, when the kernels outnumber the cells (else empty: computed per call).
  std::vector<std::vector<double>> cell_masses;
  // Per categorical dimension: the log probability of choice x under a kernel of choice c at
  // [x * n_choices + c].
  std::vector<std::vector<double>> categorical_log_p;
};

// For each sample i (row of `samples`, n x d: discrete values on their grid, categorical values
// choice indices) the streaming log-sum-exp of every layout kernel's term: top[i] (the largest
// term, -inf when none) and sum[i] (sum of exp(term - top[i])). Terms more than 45 nats below
// the running maximum are left out. REQUIRES: log_pdf_path_available(path).
void shared_width_log_sum_exp(const std::vector<ParzenDimension>& dimensions,
                              const SharedWidthKernels& kernels, const SharedWidthScales& scales,
                              const Eigen::MatrixXd& samples, LogPdfPath path,
                              std::vector<double>& top, std::vector<double>& sum);

// Adds one more term to a streaming log-sum-exp (top, sum) as the loops do, exactly.
inline void add_log_sum_exp_term(double term, double& top, double& sum) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (!(term > -kInf)) return;
  if (term > top) {
    sum = (top > -kInf ? sum * std::exp(top - term) : 0.0) + 1.0;
    top = term;
  } else {
    sum += std::exp(term - top);
  }
}
// log(sum of exp(terms)) from the streaming (top, sum).
inline double log_sum_exp_result(double top, double sum) {
  return std::isfinite(top) ? top + std::log(sum) : top;
}

// The exactness limit of the fast path: |u|^2 + |v|^2 - 2 u.v loses up to 2.2e-16 (|u|^2 +
// |v|^2), at most 2.2e-16 * sum over continuous dimensions of (range / width)^2 / 2 with centred
// coordinates. Returns whether that stays below 1e-12.
bool shared_width_exact_enough(const std::vector<ParzenDimension>& dimensions,
                               const std::vector<double>& widths);

// Per column c < n_choices, the probabilities of an observation kernel of choice c over the
// choices (weight 1 on its own choice plus `smoothing` on each, normalized); column n_choices,
// the prior kernel's (uniform). As logs, n_choices x (n_choices + 1).
Eigen::ArrayXXd categorical_log_probabilities(int n_choices, double smoothing);

// The scales of observation kernels of the given widths (ParzenEstimator::multivariate_widths),
// `n_kernels` of them, whose categorical smoothing is `smoothing` (prior_weight / kernels).
SharedWidthScales shared_width_scales(const std::vector<ParzenDimension>& dimensions,
                                      const std::vector<double>& widths, int n_kernels,
                                      double smoothing);

// --- internal to the loops (parzen_shared_width_simd.cc) ---

// One group of log_pdf_lanes(path) samples in the layout of the loops: u (n_centre_dims rows of
// lanes, already divided by the width squared), |u|^2 / 2 per lane, and each table's entries
// (n_entries rows of lanes).
struct SampleGroup {
  const double* u = nullptr;
  const double* half_norm = nullptr;
  std::vector<const double*> tables;
};

// Adds every kernel's term to each lane's streaming log-sum-exp: top[l] (running maximum, -inf
// when empty) and sum[l] (sum of exp(term - top[l])). REQUIRES: log_pdf_path_available(path).
void add_shared_width_terms(const SharedWidthKernels& kernels, const SampleGroup& group,
                            LogPdfPath path, double* top, double* sum);

}  // namespace hpo::tpe
