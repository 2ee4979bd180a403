// Internal to ParzenEstimator: multivariate log_pdf's fast path, where the observation kernels
// share one width per continuous dimension (Scott's rule). Each kernel's term at a sample x is
//   constant_k - |u|^2 / 2 + u.v_k + sum over tables of table[key_k]
// with u = (x - centre) / sigma and v_k = (mu_k - centre) / sigma per continuous dimension, and
// the discrete and categorical dimensions' factors looked up in per-sample tables by the
// kernel's cell or choice. Samples go in SIMD lanes (log_pdf_lanes of them per group), so that
// a kernel's table entries for the whole group are one load and each sample's running maximum
// and sum of its log-sum-exp stay in their lanes. The exact error bound of |u|^2 + |v|^2 - 2 u.v
// is init_shared_widths' (parzen_shared_width.cc), which leaves other cases to the general path.
//
// Two implementations of the loop: AVX2 with FMA (chosen at run time when the CPU has both) and
// portable SSE2. They round differently (FMA), so log_pdf's last bits depend on the CPU: results
// are reproducible on one machine, not across machines. Both are tested on the build machine.
#pragma once

#include <vector>

namespace hpo::tpe {

enum class LogPdfPath : int { kPortable, kAvx2Fma };

// kAvx2Fma when this CPU has AVX2 and FMA (checked once), else kPortable.
LogPdfPath best_log_pdf_path();
bool log_pdf_path_available(LogPdfPath path);
// Samples scored together by `path`'s loop.
int log_pdf_lanes(LogPdfPath path);

// The discrete and categorical dimensions gathered into one per-sample table: an entry per
// combination of the kernels' cells (discrete) or choices (categorical) that occur, numbered
// densely per dimension ("classes"). Entry e of a group's table holds, per lane, the sum over
// the table's dimensions of the factor of that class's kernels at the lane's sample.
struct GatheredTable {
  std::vector<int> dims;
  // Per dimension: one kernel of each class (all of a class have the same factor) and, for a
  // discrete one, the classes' grid cells.
  std::vector<std::vector<int>> representatives;
  std::vector<std::vector<int>> cells;
  // Per discrete dimension: log mass of the cell |offset| cells from a kernel's own, for every
  // offset on the grid, when the kernels outnumber the cells (computed once, not per call);
  // else empty.
  std::vector<std::vector<double>> masses;
  int n_entries = 1;  // product of the class counts; key = c0 + n0 * (c1 + n1 * (c2 ...))
};

// The observation kernels of the fast path in the loops' layout, dimension-major so that
// consecutive kernels' values are adjacent: kernel k's value for centre dimension s at
// centres[s * n_kernels + k], its key for table t at keys[t * n_kernels + k]. The loops take
// kBatch kernels at a time: the count is padded to a multiple of it with kernels whose constant
// is -infinity.
struct SharedWidthKernels {
  static constexpr int kBatch = 4;
  int n_kernels = 0;  // padded
  int n_centre_dims = 0;
  std::vector<double> centres;
  std::vector<double> constants;  // log weight and normalizers minus |v|^2 / 2
  std::vector<int> keys;
  std::vector<GatheredTable> tables;
  // The continuous dimensions in centre order, with their centres and common widths.
  std::vector<int> centre_dims;
  // Kernels left to the exact per-kernel term: the prior (its own widths) and any observation
  // kernel off a discrete grid.
  std::vector<int> other_kernels;
};

// One group of log_pdf_lanes(path) samples in the layout of the loops: u (n_centre_dims rows of
// lanes), |u|^2 / 2 per lane, and each table's entries (n_entries rows of lanes).
struct SampleGroup {
  const double* u = nullptr;
  const double* half_norm = nullptr;
  std::vector<const double*> tables;
};

// Adds every kernel's term to each lane's streaming log-sum-exp: top[l] (running maximum, -inf
// when empty) and sum[l] (sum of exp(term - top[l])). Terms more than 45 nats below the running
// maximum are left out. REQUIRES: log_pdf_path_available(path).
void add_shared_width_terms(const SharedWidthKernels& kernels, const SampleGroup& group,
                            LogPdfPath path, double* top, double* sum);

}  // namespace hpo::tpe
