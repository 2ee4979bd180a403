// GaussianBoxSum::evaluate (the structure and its expansion are in gaussian_box_sum.cc, with the
// accuracy derivation): per point, the boxes within reach, a Horner polynomial per tile of boxes.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/gaussian_box_sum.h"

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

// Horner in v^2 on the even and the odd moments of one side of a tile: two independent chains
// of kOrder / 2 steps instead of one of kOrder, and still no negative term. Two forms that give
// the same bits (no fused multiply-add: each lane performs the same products and sums): Eigen's
// (SSE2 on x86-64) and one with AVX2, four lanes per instruction, chosen at run time.
void horner_portable(const MomentView& view, int side, int tile, const Lanes& v2, Lanes& even,
                     Lanes& odd) {
  constexpr int kOrder = GaussianBoxSum::kOrder;
  even = Eigen::Map<const Lanes>(view.row(side, kOrder - 2, tile));
  odd = Eigen::Map<const Lanes>(view.row(side, kOrder - 1, tile));
  for (int m = kOrder - 4; m >= 0; m -= 2) {
    even = even * v2 + Eigen::Map<const Lanes>(view.row(side, m, tile));
    odd = odd * v2 + Eigen::Map<const Lanes>(view.row(side, m + 1, tile));
  }
}

__attribute__((target("avx2"))) void horner_avx2(const MomentView& view, int side, int tile,
                                                 const Lanes& v2, Lanes& even, Lanes& odd) {
  static_assert(kLanes == 8, "two 4-lane vectors per tile");
  constexpr int kOrder = GaussianBoxSum::kOrder;
  const __m256d v2_lo = _mm256_loadu_pd(v2.data()), v2_hi = _mm256_loadu_pd(v2.data() + 4);
  const double* row = view.row(side, kOrder - 2, tile);
  __m256d even_lo = _mm256_loadu_pd(row), even_hi = _mm256_loadu_pd(row + 4);
  row = view.row(side, kOrder - 1, tile);
  __m256d odd_lo = _mm256_loadu_pd(row), odd_hi = _mm256_loadu_pd(row + 4);
  for (int m = kOrder - 4; m >= 0; m -= 2) {
    const double* even_row = view.row(side, m, tile);
    const double* odd_row = view.row(side, m + 1, tile);
    even_lo = _mm256_add_pd(_mm256_mul_pd(even_lo, v2_lo), _mm256_loadu_pd(even_row));
    even_hi = _mm256_add_pd(_mm256_mul_pd(even_hi, v2_hi), _mm256_loadu_pd(even_row + 4));
    odd_lo = _mm256_add_pd(_mm256_mul_pd(odd_lo, v2_lo), _mm256_loadu_pd(odd_row));
    odd_hi = _mm256_add_pd(_mm256_mul_pd(odd_hi, v2_hi), _mm256_loadu_pd(odd_row + 4));
  }
  _mm256_storeu_pd(even.data(), even_lo);
  _mm256_storeu_pd(even.data() + 4, even_hi);
  _mm256_storeu_pd(odd.data(), odd_lo);
  _mm256_storeu_pd(odd.data() + 4, odd_hi);
}

using Horner = void (*)(const MomentView&, int, int, const Lanes&, Lanes&, Lanes&);

Horner best_horner() {
  static const Horner horner = __builtin_cpu_supports("avx2") ? horner_avx2 : horner_portable;
  return horner;
}

}  // namespace

void GaussianBoxSum::evaluate(const double* xs, int n, const double* class_weights,
                              double* out) const {
  check_weights(class_weights, n_classes_);
  evaluate(xs, n, class_weights, out, nullptr, 0);
}

void GaussianBoxSum::evaluate(const double* xs, int n, const double* class_weights, double* out,
                              const Extra* extras, int n_extras) const {
  static_assert(kLanes == kTile, "one vector lane per box of a tile");
  static_assert(kOrder % 2 == 0, "the even and odd Horner chains take kOrder / 2 moments each");
  for (int c = 0; c < n_classes_; ++c) {
    if (!std::isfinite(class_weights[c])) check_weights(class_weights, n_classes_);
  }
  for (int e = 0; e < n_extras; ++e) {
    if (!std::isfinite(extras[e].weight)) {
      throw std::invalid_argument("GaussianBoxSum: extra weight " + std::to_string(e) +
                                  " must be finite, got " + std::to_string(extras[e].weight));
    }
  }
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
  // One class reads the stored moments; several (or extra arrays) are combined per call, each
  // tile when a point first visits it: the arrays are ~100 KB per class, read from far caches,
  // and points often leave many tiles unvisited.
  std::unique_ptr<double[]> combined;
  std::vector<char> combined_ready;
  MomentView view{hi_.data(), 0};
  double scale = class_weights[0];
  const bool combine = n_classes_ > 1 || n_extras > 0;
  const size_t tile_size = 2 * kOrder * kTile;
  if (combine) {
    combined.reset(new double[static_cast<size_t>(n_tiles_) * tile_size]);
    combined_ready.assign(static_cast<size_t>(n_tiles_), 0);
    view = MomentView{combined.get(), 0};
    scale = 1.0;
  }
  auto combine_tile = [&](int tile) {
    Eigen::Map<Eigen::ArrayXd> sum(combined.get() + static_cast<size_t>(tile) * tile_size,
                                   static_cast<Eigen::Index>(tile_size));
    bool first = true;
    auto add = [&](const double* source, double w) {
      const Eigen::Map<const Eigen::ArrayXd> from(source + index(0, 0, 0, tile * kTile),
                                                  static_cast<Eigen::Index>(tile_size));
      if (first) {
        sum = w * from;
      } else {
        sum += w * from;
      }
      first = false;
    };
    for (int c = 0; c < n_classes_; ++c) {
      if (class_weights[c] != 0.0) add(hi_.data() + index(c, 0, 0, 0), class_weights[c]);
    }
    for (int e = 0; e < n_extras; ++e) {
      if (extras[e].weight != 0.0) add(extras[e].moments, extras[e].weight);
    }
    if (first) sum.setZero();
    combined_ready[static_cast<size_t>(tile)] = 1;
  };

  const Horner horner = best_horner();
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
        if (combine && !combined_ready[static_cast<size_t>(tile)]) combine_tile(tile);
        // v >= 0 in the kept lanes: distance from the expansion's edge to x, in sigmas.
        Lanes v;
        for (int l = 0; l < kLanes; ++l) {
          v[l] = side == 0 ? (x - edge(b0 + l)) * inv_sigma_ : (edge(b0 + l + 1) - x) * inv_sigma_;
        }
        const Lanes v2 = v * v;
        Lanes even, odd;
        horner(view, side, tile, v2, even, odd);
        // One vectorized exp for the whole tile (lanes outside [lane_lo, lane_hi] are dropped).
        const Lanes terms = (-0.5 * v2).exp() * (even + v * odd);
        if (lane_lo == 0 && lane_hi == kTile - 1) {
          total += terms;
        } else {
          for (int l = lane_lo; l <= lane_hi; ++l) total[l] += terms[l];
        }
      }
    }
    out[i] = scale * total.sum();
  }
}

}  // namespace hpo::tpe
