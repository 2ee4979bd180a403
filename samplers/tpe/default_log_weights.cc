#include "samplers/tpe/default_log_weights.h"

#include <cmath>

namespace hpo::tpe {
namespace {

// The ramp ends this many weights before the last: those are 1 (tpe_default_weights).
constexpr int kFlat = 25;
// The tables are made again when the ramp's offset has moved by this much relative.
constexpr double kMaxRelativeShift = 1e-4;

}  // namespace

double DefaultLogWeights::get(int n, Eigen::ArrayXd& out) {
  out.setZero(n);
  if (n <= kFlat) return n;
  const int ramp = n - kFlat;
  const double a = 1.0 / n;
  if (ramp == 1) {
    out(0) = std::log(a);
    return a + kFlat;
  }
  // w_i = a + b i = b (i + t) for i < ramp.
  const double b = (1.0 - a) / (ramp - 1);
  const double t = a / b;
  double delta = t - t0_;
  if (static_cast<int>(log_base_.size()) < ramp || !(std::abs(delta) <= kMaxRelativeShift * t0_)) {
    t0_ = t;
    delta = 0.0;
    const size_t size = static_cast<size_t>(ramp) + static_cast<size_t>(ramp) / 4;  // room to grow
    log_base_.resize(size);
    inv_base_.resize(size);
    for (size_t i = 0; i < size; ++i) {
      log_base_[i] = std::log(static_cast<double>(i) + t0_);
      inv_base_[i] = 1.0 / (static_cast<double>(i) + t0_);
    }
  }
  // log w_i = log b + log(i + t0) + log1p(x), x = delta / (i + t0), |x| <= 1e-4.
  const double log_b = std::log(b);
  const Eigen::Map<const Eigen::ArrayXd> log_base(log_base_.data(), ramp);
  const Eigen::Map<const Eigen::ArrayXd> inv_base(inv_base_.data(), ramp);
  const Eigen::ArrayXd x = delta * inv_base;
  out.head(ramp) = log_b + log_base + x * (1.0 - x * (0.5 - x * (1.0 / 3.0)));
  return ramp * a + b * (0.5 * ramp * (ramp - 1.0)) + kFlat;
}

}  // namespace hpo::tpe
