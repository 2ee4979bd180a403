// Multivariate TPE's kernel truncation masses, kept across asks.
//
// In a growing study every new trial narrows the kernels' shared widths (Scott's rule:
// n^(-1/(d+4))), which changes every kernel's mass inside the support: 10 continuous dimensions x
// 10,000 kernels at 10,000 trials, most of the cost of building the "above" estimator. Masses
// computed at slightly other widths are off by a bounded amount (a kernel's log mass moves by at
// most |d log(width)| per dimension: ParzenEstimator::log_pdf_error_bound), and the sampler's
// argmax is exact whenever it is clear by more than twice that bound (it recomputes otherwise).
// So this cache keeps each trial's masses at reference widths, computes new trials' at those
// widths, and recomputes all of them when the widths have drifted by more than kMaxDrift nats.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_estimator.h"

namespace hpo::tpe {

// Thread-safe.
class KeptMassCache {
 public:
  // The largest log_pdf_error_bound the masses may carry: at 10,000 trials the widths drift by
  // 6e-5 nats per trial (10 continuous of 13 dimensions), so all masses are recomputed every
  // ~30 asks, and an argmax needs recomputing only when its top two candidates are within 4e-3
  // nats, which happens for about 1 ask in 100.
  static constexpr double kMaxDrift = 2e-3;

  // Masses for the multivariate estimator of `observations` (n x d, the rows of the trials
  // `keys`: one id per trial, such as its number) with observation widths `widths`
  // (ParzenEstimator::multivariate_widths), at the reference widths of the param list `list`.
  // A key's masses are reused while its continuous values are bitwise the same.
  void get(uint64_t list, const std::vector<ParzenDimension>& dimensions,
           const std::vector<double>& widths, const Eigen::MatrixXd& observations,
           const std::vector<int>& keys, KernelMasses& out);

  // How many masses were computed (not reused) so far, for tests.
  int64_t computed() const;

 private:
  struct List {
    std::vector<ParzenDimension> dimensions;
    std::vector<double> reference_widths;
    std::vector<int> continuous;   // the continuous dimensions
    // Per key: its continuous values (continuous.size() each) and its log mass; NaN = none.
    std::vector<double> values;
    std::vector<double> log_masses;
  };

  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, List> lists_;
  int64_t computed_ = 0;
};

}  // namespace hpo::tpe
