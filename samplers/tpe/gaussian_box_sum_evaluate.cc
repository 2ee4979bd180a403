// GaussianBoxSum::evaluate (the structure and its expansion are in gaussian_box_sum.cc, with the
// accuracy derivation): per point, the boxes within reach, a Horner polynomial per tile of boxes.
#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/exp_lanes.h"
#include "samplers/tpe/gaussian_box_sum.h"

namespace hpo::tpe {
namespace {

constexpr int kLanes = 8;  // = GaussianBoxSum's tile
using Lanes = Eigen::Array<double, kLanes, 1>;
using lanes::V4d;
using lanes::V4i;

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

// One side of one tile, as a point sees it: the distances v >= 0 (in sigmas) from the 8 boxes'
// expansion edges to the point, and the terms to compute.
struct TileJob {
  int side;
  int tile;
  int lane_lo, lane_hi;  // the lanes inside the point's reach; the others are dropped
  alignas(32) double v[kLanes];
  alignas(32) double terms[kLanes];
};

[[gnu::always_inline]] inline void load4(V4d& out, const double* p) {
  std::memcpy(&out, p, sizeof(out));
}

// job.terms[l] = exp(-v_l^2 / 2) * sum_m M[m][l] v_l^m for kJobs jobs at once: Horner in v^2 on
// the even and the odd moments (two chains of kOrder / 2 steps instead of one of kOrder, and
// still no negative term), 4 * kJobs independent chains in all, then one exp per lane. The same
// operations per lane whatever the target (no fused multiply-add), so the portable form (SSE2 on
// x86-64) and the AVX2 one, four lanes per instruction, chosen at run time, give the same bits.
template <int kJobs>
[[gnu::always_inline]] inline void tile_terms_body(const MomentView& view, TileJob* const* jobs) {
  static_assert(kLanes == 8, "two 4-lane vectors per tile");
  constexpr int kOrder = GaussianBoxSum::kOrder;
  V4d v[kJobs][2], v2[kJobs][2], even[kJobs][2], odd[kJobs][2];
  for (int j = 0; j < kJobs; ++j) {
    const double* even_row = view.row(jobs[j]->side, kOrder - 2, jobs[j]->tile);
    const double* odd_row = view.row(jobs[j]->side, kOrder - 1, jobs[j]->tile);
    for (int h = 0; h < 2; ++h) {
      load4(v[j][h], jobs[j]->v + 4 * h);
      v2[j][h] = v[j][h] * v[j][h];
      load4(even[j][h], even_row + 4 * h);
      load4(odd[j][h], odd_row + 4 * h);
    }
  }
  for (int m = kOrder - 4; m >= 0; m -= 2) {
    for (int j = 0; j < kJobs; ++j) {
      const double* even_row = view.row(jobs[j]->side, m, jobs[j]->tile);
      const double* odd_row = view.row(jobs[j]->side, m + 1, jobs[j]->tile);
      for (int h = 0; h < 2; ++h) {
        V4d even_m, odd_m;
        load4(even_m, even_row + 4 * h);
        load4(odd_m, odd_row + 4 * h);
        even[j][h] = even[j][h] * v2[j][h] + even_m;
        odd[j][h] = odd[j][h] * v2[j][h] + odd_m;
      }
    }
  }
  for (int j = 0; j < kJobs; ++j) {
    for (int h = 0; h < 2; ++h) {
      V4d terms = -0.5 * v2[j][h];
      lanes::exp_nonpositive_in_place<V4d, V4i>(terms);
      terms *= even[j][h] + v[j][h] * odd[j][h];
      std::memcpy(jobs[j]->terms + 4 * h, &terms, sizeof(terms));
    }
  }
}

// Two jobs interleaved (twice the independent chains: Horner is latency-bound with one), or one.
void tile_terms_portable(const MomentView& view, TileJob* const* jobs, int n_jobs) {
  if (n_jobs == 2) {
    tile_terms_body<2>(view, jobs);
  } else {
    tile_terms_body<1>(view, jobs);
  }
}

__attribute__((target("avx2"))) void tile_terms_avx2(const MomentView& view,
                                                     TileJob* const* jobs, int n_jobs) {
  if (n_jobs == 2) {
    tile_terms_body<2>(view, jobs);
  } else {
    tile_terms_body<1>(view, jobs);
  }
}

using TileTerms = void (*)(const MomentView&, TileJob* const*, int);

TileTerms best_tile_terms() {
  static const TileTerms f = lanes::has_avx2() ? tile_terms_avx2 : tile_terms_portable;
  return f;
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

  // One class reads the stored moments; several (or extra arrays) are combined per call, each
  // tile when a point first visits it: the arrays are ~100 KB per class, read from far caches,
  // and points often leave many tiles unvisited.
  // The combined tiles go to a buffer kept per thread (const calls may run concurrently): a
  // fresh 100 KB allocation per call went back and forth to the allocator's top.
  thread_local std::vector<double> combined_buffer;
  double* combined = nullptr;
  std::vector<char> combined_ready;
  MomentView view{hi_.data(), 0};
  double scale = class_weights[0];
  const bool combine = n_classes_ > 1 || n_extras > 0;
  const size_t tile_size = 2 * kOrder * kTile;
  if (combine) {
    const size_t size = static_cast<size_t>(n_tiles_) * tile_size;
    if (combined_buffer.size() < size) combined_buffer.resize(size);
    combined = combined_buffer.data();
    combined_ready.assign(static_cast<size_t>(n_tiles_), 0);
    view = MomentView{combined, 0};
    scale = 1.0;
  }
  auto combine_tile = [&](int tile) {
    Eigen::Map<Eigen::ArrayXd> sum(combined + static_cast<size_t>(tile) * tile_size,
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

  const TileTerms tile_terms = best_tile_terms();
  // Per point, the sides of tiles it visits (at most 2 * n_tiles_), then their terms two by two.
  std::vector<TileJob> jobs(2 * static_cast<size_t>(n_tiles_));
  for (int i = 0; i < n; ++i) {
    const double x = xs[i];
    if (std::isnan(x)) {
      out[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const Span s = span_of(x);
    int n_jobs = 0;
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
        TileJob& job = jobs[static_cast<size_t>(n_jobs)];
        job.side = side;
        job.tile = tile;
        job.lane_lo = lane_lo;
        job.lane_hi = lane_hi;
        // v >= 0 in the kept lanes: distance from the expansion's edge to x, in sigmas.
        Eigen::Map<Lanes> v(job.v);
        if (side == 0) {
          v = (x - Eigen::Map<const Lanes>(&edges_[static_cast<size_t>(b0 + kPad)])) * inv_sigma_;
        } else {
          v = (Eigen::Map<const Lanes>(&edges_[static_cast<size_t>(b0 + 1 + kPad)]) - x) *
              inv_sigma_;
        }
        ++n_jobs;
      }
    }
    for (int j = 0; j < n_jobs; j += 2) {
      TileJob* const pair[2] = {&jobs[static_cast<size_t>(j)],
                                &jobs[static_cast<size_t>(std::min(j + 1, n_jobs - 1))]};
      tile_terms(view, pair, std::min(2, n_jobs - j));
    }
    Lanes total = Lanes::Zero();
    for (int j = 0; j < n_jobs; ++j) {
      const TileJob& job = jobs[static_cast<size_t>(j)];
      const Eigen::Map<const Lanes> terms(job.terms);
      if (job.lane_lo == 0 && job.lane_hi == kTile - 1) {
        total += terms;
      } else {
        for (int l = job.lane_lo; l <= job.lane_hi; ++l) total[l] += terms[l];
      }
    }
    out[i] = scale * total.sum();
  }
}

}  // namespace hpo::tpe
