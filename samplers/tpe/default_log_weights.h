// The logs of TPE's default kernel weights (tpe_default_weights: a ramp from 1/n up, then 25
// ones) for a study that grows by a trial or two per ask.
//
// Every weight of the ramp changes with n, so their logs would be n logs per ask: at 10,000
// trials about a tenth of a kept "above" estimator's ask. But the ramp is affine in the
// position i: w_i = b (i + t) with t = a / b moving by about 25 / n^2 per trial. So this keeps
// log(i + t0) and 1 / (i + t0) from the last t0 and adds log1p(delta / (i + t0)), delta =
// t - t0, as three terms of its series: a multiplication and an addition per weight. The
// tables are made again once |delta| / t0 passes 1e-4, where the series' error is below 3e-17.
#pragma once

#include <vector>

#include <Eigen/Core>

namespace hpo::tpe {

// Not thread-safe: one per kept estimator.
class DefaultLogWeights {
 public:
  // out(i) = log(tpe_default_weights(n)[i]) for i < n, to within 1e-13 absolute (log b and
  // log(i + t0) nearly cancel: a few ulps of each); returns the sum of the weights.
  double get(int n, Eigen::ArrayXd& out);

 private:
  double t0_ = 0.0;
  std::vector<double> log_base_;  // per position i: log(i + t0_)
  std::vector<double> inv_base_;  // per position i: 1 / (i + t0_)
};

}  // namespace hpo::tpe
