#include "samplers/tpe/gaussian_box_sum.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

// The expansion. A bump at mu in the box [e0, e1] (e1 = e0 + sigma/2) and a point x at or right of
// e0 give, with u = (mu - e0) / sigma in [0, 1/2] and v = (x - e0) / sigma >= 0,
//   exp(-(x - mu)^2 / 2 sigma^2) = exp(-v^2/2) * exp(-u^2/2) * exp(u v),
//   exp(u v) = sum_m (u v)^m / m!,
// so the box's share is exp(-v^2/2) * sum_m M[m] v^m with M[m] = sum_k c_k exp(-u_k^2/2) u_k^m / m!.
// A point left of e0 uses the same expansion around e1 with u = (e1 - mu) / sigma and
// v = (e1 - x) / sigma. Either way u, v >= 0, so every term is >= 0: nothing cancels, which is why
// there are two expansions per box instead of one around the box's centre (there, a point on the
// other side of the centre than the bump makes the series alternate and rounding is amplified by
// up to e^{2|uv|}, 460 at |uv| = 3).
//
// Truncation. A visited box has v <= 12.5 (reach 12 plus one box), so t = u v <= 6.25. The tail
// of exp(t) after p terms is sum_{m >= p} t^m / m! <= (t^p / p!) / (1 - t / (p + 1)), so relative
// to exp(t) the error is at most e^-t t^p / (p! (1 - t/(p+1))): 9.9e-18 for p = 38 at t = 6.3, per
// bump and hence for the sum of positive terms. (p = 32 would give 3e-13, which the tests catch.)
//
// Rounding (u = 2^-53; first order; the bound in the header is the sum of these worst cases):
// - the arguments: the computed u and v each carry up to 3 roundings (a difference, 1/sigma, a
//   product), an absolute error of 3u * 12.5 in v and 3u * 0.5 in u. The exponent
//   -(v - u)^2 / 2 moves by |v - u| <= 12.5 times that: 490u. A plain sum of exp(-d^2/2) with
//   d = (x - mu) / sigma has the same kind of error, 2u * d^2 = 312u at d = 12.5;
// - exp(-v^2/2): the rounding of v^2/2 <= 78.2 is 78u in the exponent, exp itself 1u;
// - the moment terms c exp(-u^2/2) u^m / m!: 2m + 3 roundings for term m. In a box's polynomial
//   term m weighs (t^m/m!) / e^t (a Poisson(t) weight), so the weighted error is (2t + 3)u <= 16u;
// - the moment sums: compensated (Neumaier) and kept as hi + lo, so hi is within 2u of the exact
//   sum whatever the number of bumps: 2u;
// - the polynomial, Horner in v^2 over the even and the odd moments, v >= 0 and M >= 0: term m
//   passes at most m + 3 roundings (v^2 counted m/2 times), weighted (t + 3)u <= 10u;
// - the class combination (n_classes roundings, counted as 4u), the product with exp(-v^2/2) (1u)
//   and the sum over the boxes (at most 9 tiles per lane, then 8 lanes: 15u), the final scale (1u).
// Total below 490 + 79 + 16 + 2 + 10 + 4 + 1 + 15 + 1 = 618u = 6.9e-14, stated as 7.5e-14 to
// cover the second-order terms. Underflow stays out of it while coefficients and weights lie in
// [1e-100, 1e100]: the smallest term that matters is ~1e-17 * 12.5^-38 * 1e-100 ~ 1e-159.

namespace hpo::tpe {
namespace {

constexpr int kLanes = 8;  // = GaussianBoxSum's tile
using Lanes = Eigen::Array<double, kLanes, 1>;

void check_weights(const double* weights, int n) {
  for (int c = 0; c < n; ++c) {
    if (!std::isfinite(weights[c]) || weights[c] < 0.0) {
      throw std::invalid_argument("GaussianBoxSum: class weight " + std::to_string(c) +
                                  " must be finite and >= 0, got " + std::to_string(weights[c]));
    }
  }
}

// hi + lo += x, compensated (Neumaier), and renormalized so that hi is the rounded sum.
void compensated_add(double& hi, double& lo, double x) {
  const double s = hi + x;
  const double err = std::fabs(hi) >= std::fabs(x) ? (hi - s) + x : (x - s) + hi;
  const double l = lo + err;
  hi = s + l;
  lo = l - (hi - s);
}

// The moments one evaluate() call reads, tiles [first_tile, ...) in the layout
// [tile][side][m][box in tile].
struct MomentView {
  const double* data;
  int first_tile;
  const double* row(int side, int m, int tile) const {
    return data + ((static_cast<size_t>(tile - first_tile) * 2 + static_cast<size_t>(side)) *
                       GaussianBoxSum::kOrder +
                   static_cast<size_t>(m)) *
                      kLanes;
  }
};

}  // namespace

GaussianBoxSum::GaussianBoxSum(double low, double high, double sigma, int n_classes)
    : low_(low), high_(high), sigma_(sigma), n_classes_(n_classes) {
  if (!std::isfinite(low) || !std::isfinite(high) || !(low < high)) {
    throw std::invalid_argument("GaussianBoxSum: need finite low < high, got low=" +
                                std::to_string(low) + " high=" + std::to_string(high));
  }
  if (!std::isfinite(sigma) || !(sigma > 0.0)) {
    throw std::invalid_argument("GaussianBoxSum: sigma must be finite and > 0, got " +
                                std::to_string(sigma));
  }
  if ((high - low) / sigma > kMaxRangeInSigmas) {
    throw std::invalid_argument(
        "GaussianBoxSum: (high - low) / sigma must be at most " +
        std::to_string(kMaxRangeInSigmas) + " (the boxes are allocated densely), got " +
        std::to_string((high - low) / sigma) + "; sum such narrow bumps directly");
  }
  if (n_classes < 1) {
    throw std::invalid_argument("GaussianBoxSum: n_classes must be >= 1, got " +
                                std::to_string(n_classes));
  }
  inv_sigma_ = 1.0 / sigma;
  width_ = 0.5 * sigma;
  n_boxes_ = std::max(1, static_cast<int>(std::ceil((high - low) / width_)));
  // Rounding may leave the last edge a hair below high; a centre at high must be inside a box.
  while (low + n_boxes_ * width_ < high) ++n_boxes_;
  n_tiles_ = (n_boxes_ + kTile - 1) / kTile;
  const size_t n_slots = static_cast<size_t>(n_tiles_) * kTile;
  edges_.resize(n_slots + 2 * kPad + 1);
  for (size_t i = 0; i < edges_.size(); ++i) {
    edges_[i] = low + (static_cast<double>(i) - kPad) * width_;
  }
  counts_.assign(n_slots, 0);
  boxes_.resize(static_cast<size_t>(n_boxes_));
  hi_.assign(static_cast<size_t>(n_classes_) * 2 * kOrder * n_slots, 0.0);
  lo_.assign(hi_.size(), 0.0);
}

int GaussianBoxSum::box_of(double mu) const {
  int b = static_cast<int>(std::clamp(std::floor((mu - low_) / width_), 0.0,
                                      static_cast<double>(n_boxes_ - 1)));
  // The estimate may be one off after rounding; the stored edges decide, so that add() and
  // evaluate() agree on which edge is a bump's left edge and u >= 0 holds exactly.
  while (b > 0 && mu < edge(b)) --b;
  while (b < n_boxes_ - 1 && mu >= edge(b + 1)) ++b;
  return b;
}

void GaussianBoxSum::accumulate(int box, double mu, const double* coefficients) {
  const double u_side[2] = {(mu - edge(box)) * inv_sigma_, (edge(box + 1) - mu) * inv_sigma_};
  for (int side = 0; side < 2; ++side) {
    const double u = std::max(0.0, u_side[side]);
    const double g = std::exp(-0.5 * u * u);
    for (int c = 0; c < n_classes_; ++c) {
      if (coefficients[c] == 0.0) continue;
      double term = coefficients[c] * g;  // c exp(-u^2/2) u^m / m!, from m = 0 on
      for (int m = 0; m < kOrder; ++m) {
        const size_t i = index(c, side, m, box);
        compensated_add(hi_[i], lo_[i], term);
        term = term * u / (m + 1);
      }
    }
  }
}

int GaussianBoxSum::add(double mu, const double* coefficients) {
  if (!(mu >= low_ && mu <= high_)) {
    throw std::invalid_argument("GaussianBoxSum::add: mu must lie in [" + std::to_string(low_) +
                                ", " + std::to_string(high_) + "], got " + std::to_string(mu));
  }
  for (int c = 0; c < n_classes_; ++c) {
    if (!std::isfinite(coefficients[c]) || coefficients[c] < 0.0) {
      throw std::invalid_argument("GaussianBoxSum::add: coefficient " + std::to_string(c) +
                                  " must be finite and >= 0, got " +
                                  std::to_string(coefficients[c]));
    }
  }
  const int b = box_of(mu);
  Box& box = boxes_[static_cast<size_t>(b)];
  const int id = next_id_++;
  box.ids.push_back(id);
  box.mus.push_back(mu);
  box.coefficients.insert(box.coefficients.end(), coefficients, coefficients + n_classes_);
  ++counts_[static_cast<size_t>(b)];
  box_of_id_.emplace(id, b);
  accumulate(b, mu, coefficients);
  return id;
}

void GaussianBoxSum::remove(int id) {
  const auto it = box_of_id_.find(id);
  if (it == box_of_id_.end()) {
    throw std::invalid_argument("GaussianBoxSum::remove: no bump has handle " +
                                std::to_string(id) + " (never added, or removed already)");
  }
  const int b = it->second;
  box_of_id_.erase(it);
  Box& box = boxes_[static_cast<size_t>(b)];
  const size_t k = static_cast<size_t>(std::find(box.ids.begin(), box.ids.end(), id) -
                                       box.ids.begin());
  const size_t last = box.ids.size() - 1;
  const size_t nc = static_cast<size_t>(n_classes_);
  box.ids[k] = box.ids[last];
  box.mus[k] = box.mus[last];
  std::copy_n(box.coefficients.begin() + static_cast<std::ptrdiff_t>(last * nc), nc,
              box.coefficients.begin() + static_cast<std::ptrdiff_t>(k * nc));
  box.ids.pop_back();
  box.mus.pop_back();
  box.coefficients.resize(last * nc);
  --counts_[static_cast<size_t>(b)];

  // Rebuild the box from its remaining bumps: subtracting the removed bump's terms would leave a
  // residue of rounding, and a small negative one would break the no-cancellation argument.
  for (int c = 0; c < n_classes_; ++c) {
    for (int side = 0; side < 2; ++side) {
      for (int m = 0; m < kOrder; ++m) {
        hi_[index(c, side, m, b)] = 0.0;
        lo_[index(c, side, m, b)] = 0.0;
      }
    }
  }
  for (size_t j = 0; j < box.ids.size(); ++j) accumulate(b, box.mus[j], &box.coefficients[j * nc]);
}

void GaussianBoxSum::clear() {
  std::fill(hi_.begin(), hi_.end(), 0.0);
  std::fill(lo_.begin(), lo_.end(), 0.0);
  std::fill(counts_.begin(), counts_.end(), 0);
  for (Box& box : boxes_) box = Box();
  box_of_id_.clear();
  next_id_ = 0;
}

void GaussianBoxSum::evaluate(const double* xs, int n, const double* class_weights,
                              double* out) const {
  static_assert(kLanes == kTile, "one vector lane per box of a tile");
  static_assert(kOrder % 2 == 0, "the even and odd Horner chains take kOrder / 2 moments each");
  check_weights(class_weights, n_classes_);
  const int last_box = n_boxes_ - 1;
  const double reach = kReach * sigma_;

  // The boxes a point visits: [first, last] for those at or left of x, then those right of it.
  struct Span {
    int left_first, left_last, right_first, right_last;
  };
  auto span_of = [&](double x) {
    Span s{0, -1, 0, -1};
    const double lo_x = x - reach;
    const double hi_x = x + reach;
    if (hi_x < edge(0) || lo_x > edge(n_boxes_)) return s;
    auto estimate = [&](double y, double lowest) {
      return static_cast<int>(std::clamp(std::floor((y - low_) / width_), lowest,
                                         static_cast<double>(last_box)));
    };
    int first = estimate(lo_x, 0.0);  // the first box with right edge >= lo_x
    while (first > 0 && edge(first) >= lo_x) --first;
    while (first < last_box && edge(first + 1) < lo_x) ++first;
    int last = estimate(hi_x, 0.0);  // the last box with left edge <= hi_x
    while (last < last_box && edge(last + 1) <= hi_x) ++last;
    while (last > 0 && edge(last) > hi_x) --last;
    int split = estimate(x, -1.0);  // the last box with left edge <= x, or -1
    while (split < last_box && edge(split + 1) <= x) ++split;
    while (split >= 0 && edge(split) > x) --split;
    s.left_first = first;
    s.left_last = std::min(last, split);
    s.right_first = std::max(first, split + 1);
    s.right_last = last;
    return s;
  };

  // One class reads the stored moments; several are combined once per call over the tiles the
  // points visit.
  std::vector<double> combined;
  MomentView view{hi_.data(), 0};
  double scale = class_weights[0];
  if (n_classes_ > 1) {
    int lowest = n_boxes_;
    int highest = -1;
    for (int i = 0; i < n; ++i) {
      if (std::isnan(xs[i])) continue;
      const Span s = span_of(xs[i]);
      if (s.left_first <= s.left_last) {
        lowest = std::min(lowest, s.left_first);
        highest = std::max(highest, s.left_last);
      }
      if (s.right_first <= s.right_last) {
        lowest = std::min(lowest, s.right_first);
        highest = std::max(highest, s.right_last);
      }
    }
    if (lowest > highest) lowest = highest = 0;
    const int first_tile = lowest / kTile;
    const size_t tile_size = 2 * kOrder * kTile;
    const size_t n_used = static_cast<size_t>(highest / kTile - first_tile + 1);
    combined.assign(n_used * tile_size, 0.0);
    for (int c = 0; c < n_classes_; ++c) {
      const double w = class_weights[c];
      if (w == 0.0) continue;
      const double* src = hi_.data() + index(c, 0, 0, first_tile * kTile);
      for (size_t j = 0; j < combined.size(); ++j) combined[j] += w * src[j];
    }
    view = MomentView{combined.data(), first_tile};
    scale = 1.0;
  }

  for (int i = 0; i < n; ++i) {
    const double x = xs[i];
    if (std::isnan(x)) {
      out[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const Span s = span_of(x);
    Lanes total = Lanes::Zero();
    for (int side = 0; side < 2; ++side) {
      const int first = side == 0 ? s.left_first : s.right_first;
      const int last = side == 0 ? s.left_last : s.right_last;
      if (first > last) continue;
      for (int tile = first / kTile; tile <= last / kTile; ++tile) {
        const int b0 = tile * kTile;
        // The lanes of this tile inside [first, last]; the others are computed and dropped.
        const int lane_lo = std::max(0, first - b0);
        const int lane_hi = std::min(kTile - 1, last - b0);
        const int* counts = &counts_[static_cast<size_t>(b0)];
        if (std::all_of(counts + lane_lo, counts + lane_hi + 1, [](int k) { return k == 0; })) {
          continue;
        }
        // v >= 0 in the kept lanes: distance from the expansion's edge to x, in sigmas.
        Lanes v;
        for (int l = 0; l < kLanes; ++l) {
          v[l] = side == 0 ? (x - edge(b0 + l)) * inv_sigma_ : (edge(b0 + l + 1) - x) * inv_sigma_;
        }
        // Horner in v^2 on the even and the odd moments: two independent chains of kOrder / 2
        // steps instead of one of kOrder, and still no negative term.
        const Lanes v2 = v * v;
        Lanes even = Eigen::Map<const Lanes>(view.row(side, kOrder - 2, tile));
        Lanes odd = Eigen::Map<const Lanes>(view.row(side, kOrder - 1, tile));
        for (int m = kOrder - 4; m >= 0; m -= 2) {
          even = even * v2 + Eigen::Map<const Lanes>(view.row(side, m, tile));
          odd = odd * v2 + Eigen::Map<const Lanes>(view.row(side, m + 1, tile));
        }
        const Lanes poly = even + v * odd;
        for (int l = lane_lo; l <= lane_hi; ++l) total[l] += std::exp(-0.5 * v2[l]) * poly[l];
      }
    }
    out[i] = scale * total.sum();
  }
}

}  // namespace hpo::tpe
