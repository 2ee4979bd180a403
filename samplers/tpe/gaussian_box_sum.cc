#include "samplers/tpe/gaussian_box_sum.h"

#include <algorithm>
#include <array>
#include <cmath>
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
// Truncation. A visited box has v <= 10.5 (reach 10 plus one box), so t = u v <= 5.25. The tail
// of exp(t) after p terms is sum_{m >= p} t^m / m! <= (t^p / p!) / (1 - t / (p + 1)), so relative
// to exp(t) the error is at most e^-t t^p / (p! (1 - t/(p+1))): 1.4e-18 for p = 36 at t = 5.25,
// per bump and hence for the sum of positive terms. (p = 28 would give 3e-12, which the tests
// catch.)
//
// Rounding (u = 2^-53; first order; the bound in the header is the sum of these worst cases):
// - the arguments: the computed u and v each carry up to 3 roundings (a difference, 1/sigma, a
//   product), an absolute error of 3u * 10.5 in v and 3u * 0.5 in u. The exponent
//   -(v - u)^2 / 2 moves by |v - u| <= 10.5 times that: 346.5u. A plain sum of exp(-d^2/2) with
//   d = (x - mu) / sigma has the same kind of error, 2u * d^2 = 220u at d = 10.5;
// - exp(-v^2/2): the rounding of v^2/2 <= 55.2 is 55.2u in the exponent, exp itself 2.3u
//   (exp_lanes.h: 5e-16);
// - the moment terms c exp(-u^2/2) u^m / m!: exp 1 rounding, the power g u^m m more (u^4 and u^8
//   by squaring carry 3 and 7), the product with c 1; 1/m! is applied to a chunk's sum, 2 more
//   (the constant and the product): m + 4 for term m. In a box's polynomial term m weighs
//   (t^m/m!) / e^t (a Poisson(t) weight), so the weighted error is (t + 4)u <= 9.25u;
// - the moment sums: chunks of up to kChunk = 16 bumps are summed plainly (positive terms: at most
//   15u), each chunk's sum is added compensated (TwoSum) to hi + lo, so hi is within 2u of the
//   exact sum of the chunk sums whatever the number of bumps: 17u;
// - the polynomial, Horner in v^2 over the even and the odd moments, v >= 0 and M >= 0: term m
//   passes at most m + 3 roundings (v^2 counted m/2 times), weighted (t + 3)u <= 8.25u;
// - the class combination (n_classes roundings, counted as 4u), the product with exp(-v^2/2) (1u)
//   and the sum over the boxes (at most 9 tiles per lane, then 8 lanes: 15u), the final scale (1u).
// Total below 346.5 + 57.5 + 9.25 + 17 + 8.25 + 4 + 1 + 15 + 1 = 459.5u = 5.1e-14, stated as
// 5.5e-14 to cover the second-order terms. Underflow stays out of it while coefficients and
// weights lie in [1e-100, 1e100]: the smallest term that matters is
// ~1e-17 * 10.5^-36 * 1e-100 ~ 1e-154.

namespace hpo::tpe {
namespace {

// 1 / m! for m < kOrder, each the double nearest the exact value.
constexpr std::array<double, GaussianBoxSum::kOrder> make_inv_factorial() {
  std::array<double, GaussianBoxSum::kOrder> out{};
  long double f = 1.0L;
  for (int m = 0; m < GaussianBoxSum::kOrder; ++m) {
    if (m > 0) f *= m;
    out[static_cast<size_t>(m)] = static_cast<double>(1.0L / f);
  }
  return out;
}
constexpr std::array<double, GaussianBoxSum::kOrder> kInvFactorial = make_inv_factorial();

// out[i] = sum_k w[k * w_stride] * powers[k * kOrder + i] for i < B: B moments kept in registers
// while n bumps stream past (one load of each power, no store until the end).
template <int B>
void sum_block(const double* powers, const double* w, size_t w_stride, int n, double* out) {
  using Block = Eigen::Array<double, B, 1>;
  Block acc = Block::Zero();
  for (int k = 0; k < n; ++k) {
    acc += w[static_cast<size_t>(k) * w_stride] *
           Eigen::Map<const Block>(powers + static_cast<size_t>(k) * GaussianBoxSum::kOrder);
  }
  Eigen::Map<Block> result(out);
  result = acc;
}

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
  lo_.assign(static_cast<size_t>(n_boxes_) * static_cast<size_t>(n_classes_) * 2 * kOrder, 0.0);
  scratch_.assign(2 * static_cast<size_t>(n_classes_) * 2 * kOrder, 0.0);
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

void GaussianBoxSum::bump_powers(double mu, double left, double right, double* p0,
                                 double* p1) const {
  // u >= 0 from each of the box's edges (rounding may leave a hair below 0 at the edge).
  const double u0 = std::max(0.0, (mu - left) * inv_sigma_);
  const double u1 = std::max(0.0, (right - mu) * inv_sigma_);
  p0[0] = std::exp(-0.5 * u0 * u0);
  p1[0] = std::exp(-0.5 * u1 * u1);
  for (int m = 1; m < 4; ++m) {
    p0[m] = p0[m - 1] * u0;
    p1[m] = p1[m - 1] * u1;
  }
  // Then u^m = u^(m-4) u^4 and u^m = u^(m-8) u^8: eight independent chains per side instead
  // of one long one, and no more roundings (u^8 carries 7, as eight steps of one chain would).
  const double u0_4 = (u0 * u0) * (u0 * u0);
  const double u1_4 = (u1 * u1) * (u1 * u1);
  for (int m = 4; m < 8; ++m) {
    p0[m] = p0[m - 4] * u0_4;
    p1[m] = p1[m - 4] * u1_4;
  }
  const double u0_8 = u0_4 * u0_4;
  const double u1_8 = u1_4 * u1_4;
  using Octet = Eigen::Array<double, 8, 1>;  // eight consecutive powers, in registers
  Octet q0 = Eigen::Map<const Octet>(p0);
  Octet q1 = Eigen::Map<const Octet>(p1);
  int m = 8;
  for (; m + 8 <= kOrder; m += 8) {
    q0 *= u0_8;
    q1 *= u1_8;
    Eigen::Map<Octet> to0(p0 + m);
    Eigen::Map<Octet> to1(p1 + m);
    to0 = q0;
    to1 = q1;
  }
  for (; m < kOrder; ++m) {
    p0[m] = p0[m - 8] * u0_8;
    p1[m] = p1[m - 8] * u1_8;
  }
}

size_t GaussianBoxSum::moments_size() const {
  return static_cast<size_t>(n_tiles_) * 2 * kOrder * kTile;
}

void GaussianBoxSum::copy_moments(int c, double* out) const {
  const double* from = hi_.data() + index(c, 0, 0, 0);
  std::copy(from, from + moments_size(), out);
}

void GaussianBoxSum::copy_box_moments(int c, int box, double* out) const {
  for (int side = 0; side < 2; ++side) {
    for (int m = 0; m < kOrder; ++m) out[side * kOrder + m] = hi_[index(c, side, m, box)];
  }
}

void GaussianBoxSum::bump_terms(double mu, BumpTerms& out) const {
  check_bump("bump_terms", mu, nullptr);
  out.box = box_of(mu);
  bump_powers(mu, edge(out.box), edge(out.box + 1), out.terms[0], out.terms[1]);
  for (int side = 0; side < 2; ++side) {
    for (int m = 0; m < kOrder; ++m) out.terms[side][m] *= kInvFactorial[static_cast<size_t>(m)];
  }
}

void GaussianBoxSum::add_terms(const BumpTerms& bump, double factor, double* hi,
                               double* lo) const {
  add_box_terms(bump.box, &bump.terms[0][0], factor, hi, lo);
}

void GaussianBoxSum::add_box_terms(int box, const double* terms, double factor, double* hi,
                                   double* lo) const {
  for (int side = 0; side < 2; ++side) {
    for (int m = 0; m < kOrder; ++m) {
      const double x = factor * terms[side * kOrder + m];
      const size_t j = index(0, side, m, box);
      if (lo == nullptr) {
        hi[j] += x;
      } else {
        // TwoSum: hi + lo keeps the exact sum to about 2 ulps however many bumps come and go.
        const double s = hi[j] + x;
        const double bv = s - hi[j];
        lo[j] += (hi[j] - (s - bv)) + (x - bv);
        hi[j] = s + lo[j];
        lo[j] -= hi[j] - s;
      }
    }
  }
}

void GaussianBoxSum::add_many_box_terms(const double* terms, size_t stride,
                                        const int* block_of_box, double factor, double* hi,
                                        double* lo) const {
  // With fewer boxes of a tile given, box by box costs less than the tile's pass.
  constexpr int kMinBoxesForTile = 3;
  constexpr size_t kTileSize = 2 * kOrder * kTile;
  alignas(32) double tile_terms[kTileSize];
  auto terms_of = [&](int b) {
    return terms + static_cast<size_t>(block_of_box[b]) * stride;
  };
  for (int tile = 0; tile < n_tiles_; ++tile) {
    const int b0 = tile * kTile;
    const int b1 = std::min(b0 + kTile, n_boxes_);
    const int n_given = static_cast<int>(
        std::count_if(block_of_box + b0, block_of_box + b1, [](int i) { return i >= 0; }));
    if (n_given == 0) continue;
    if (n_given < kMinBoxesForTile) {
      for (int b = b0; b < b1; ++b) {
        if (block_of_box[b] >= 0) add_box_terms(b, terms_of(b), factor, hi, lo);
      }
      continue;
    }
    std::fill_n(tile_terms, kTileSize, 0.0);  // the other boxes add zero: no change
    for (int b = b0; b < b1; ++b) {
      if (block_of_box[b] < 0) continue;
      const double* from = terms_of(b);
      for (int t = 0; t < 2 * kOrder; ++t) {
        tile_terms[static_cast<size_t>(t) * kTile + static_cast<size_t>(b - b0)] = from[t];
      }
    }
    const size_t offset = index(0, 0, 0, b0);
    add_compensated(tile_terms, factor, hi + offset, lo + offset, kTileSize);
  }
}

void GaussianBoxSum::add_compensated(const double* from, double factor, double* hi, double* lo,
                                     size_t n) {
  using Quad = Eigen::Array<double, 4, 1>;
  for (size_t j = 0; j < n; j += 4) {
    const Quad h = Eigen::Map<const Quad>(hi + j);
    const Quad x = factor * Eigen::Map<const Quad>(from + j);
    const Quad s = h + x;
    const Quad bv = s - h;
    const Quad l = Eigen::Map<const Quad>(lo + j) + ((h - (s - bv)) + (x - bv));
    const Quad total = s + l;
    Eigen::Map<Quad>(hi + j) = total;
    Eigen::Map<Quad>(lo + j) = l - (total - s);
  }
}

void GaussianBoxSum::add_moments(const double* from, double factor, double* hi,
                                 double* lo) const {
  add_compensated(from, factor, hi, lo, moments_size());
}

void GaussianBoxSum::accumulate(int b, size_t first, size_t count, bool fresh) {
  const Box& box = boxes_[static_cast<size_t>(b)];
  const size_t nc = static_cast<size_t>(n_classes_);
  const size_t row = 2 * kOrder;  // one class's moments, both sides
  static_assert(2 * kOrder % 4 == 0, "the compensated sum takes four moments at a time");
  double* chunk = scratch_.data();  // [c][side][m], the plain sum over one chunk
  double* hi = chunk + nc * row;    // [c][side][m], the compensated total: hi + lo
  double* lo = &lo_[static_cast<size_t>(b) * nc * row];
  double* hi_data = hi_.data();
  if (fresh) std::fill(lo, lo + nc * row, 0.0);
  for (size_t c = 0; c < nc; ++c) {
    for (int side = 0; side < 2; ++side) {
      const size_t from = index(static_cast<int>(c), side, 0, b);
      const size_t to = c * row + static_cast<size_t>(side * kOrder);
      for (size_t m = 0; m < kOrder; ++m) {
        hi[to + m] = fresh ? 0.0 : hi_data[from + m * kTile];
      }
    }
  }
  const double left = edge(b);
  const double right = edge(b + 1);
  const double* inv_factorial = kInvFactorial.data();
  // g u^m for the bumps of one chunk, [side][bump][m], with g = exp(-u^2/2): u and g from the
  // box's left edge for side 0, from its right edge for side 1.
  alignas(16) double powers[2][kChunk][kOrder];
  for (size_t start = first; start < first + count; start += kChunk) {
    const int n_in = static_cast<int>(std::min<size_t>(kChunk, first + count - start));
    for (int k = 0; k < n_in; ++k) {
      bump_powers(box.mus[start + static_cast<size_t>(k)], left, right, powers[0][k],
                  powers[1][k]);
    }
    // chunk[c][side][m] = sum over the chunk's bumps of coef_c g u^m / m!: blocks of moments
    // held in registers while the bumps stream past, then 1/m! once per chunk.
    for (size_t c = 0; c < nc; ++c) {
      const double* w = &box.coefficients[start * nc + c];
      for (int side = 0; side < 2; ++side) {
        double* into = chunk + c * row + static_cast<size_t>(side * kOrder);
        sum_block<8>(&powers[side][0][0], w, nc, n_in, into);
        sum_block<8>(&powers[side][0][8], w, nc, n_in, into + 8);
        sum_block<8>(&powers[side][0][16], w, nc, n_in, into + 16);
        sum_block<8>(&powers[side][0][24], w, nc, n_in, into + 24);
        sum_block<kOrder - 32>(&powers[side][0][32], w, nc, n_in, into + 32);
        for (int m = 0; m < kOrder; ++m) into[m] *= inv_factorial[m];
      }
    }
    // hi + lo += chunk, compensated (TwoSum, then renormalized so that hi is the rounded total),
    // four moments at a time (row is a multiple of 4).
    using Quad = Eigen::Array<double, 4, 1>;
    for (size_t j = 0; j < nc * row; j += 4) {
      const Quad h = Eigen::Map<const Quad>(hi + j);
      const Quad x = Eigen::Map<const Quad>(chunk + j);
      const Quad s = h + x;
      const Quad bv = s - h;
      const Quad l = Eigen::Map<const Quad>(lo + j) + ((h - (s - bv)) + (x - bv));
      const Quad total = s + l;
      Eigen::Map<Quad> hi_out(hi + j);
      Eigen::Map<Quad> lo_out(lo + j);
      hi_out = total;
      lo_out = l - (total - s);
    }
  }
  for (size_t c = 0; c < nc; ++c) {
    for (int side = 0; side < 2; ++side) {
      const size_t to = index(static_cast<int>(c), side, 0, b);
      const size_t from = c * row + static_cast<size_t>(side * kOrder);
      for (size_t m = 0; m < kOrder; ++m) {
        hi_data[to + m * kTile] = hi[from + m];
      }
    }
  }
}

void GaussianBoxSum::check_bump(const char* caller, double mu, const double* coefficients) const {
  if (!(mu >= low_ && mu <= high_)) {
    throw std::invalid_argument(std::string("GaussianBoxSum::") + caller + ": mu must lie in [" +
                                std::to_string(low_) + ", " + std::to_string(high_) + "], got " +
                                std::to_string(mu));
  }
  for (int c = 0; coefficients != nullptr && c < n_classes_; ++c) {
    if (!std::isfinite(coefficients[c]) || coefficients[c] < 0.0) {
      throw std::invalid_argument(std::string("GaussianBoxSum::") + caller + ": coefficient " +
                                  std::to_string(c) + " must be finite and >= 0, got " +
                                  std::to_string(coefficients[c]));
    }
  }
}

int GaussianBoxSum::add(double mu, const double* coefficients) {
  check_bump("add", mu, coefficients);
  const int b = box_of(mu);
  Box& box = boxes_[static_cast<size_t>(b)];
  const int id = static_cast<int>(box_of_id_.size());
  box.ids.push_back(id);
  box.mus.push_back(mu);
  box.coefficients.insert(box.coefficients.end(), coefficients, coefficients + n_classes_);
  ++counts_[static_cast<size_t>(b)];
  box_of_id_.push_back(b);
  ++size_;
  accumulate(b, box.ids.size() - 1, 1, false);
  return id;
}

void GaussianBoxSum::assign(const double* mus, const double* coefficients, int n) {
  if (n < 0) {
    throw std::invalid_argument("GaussianBoxSum::assign: n must be >= 0, got " +
                                std::to_string(n));
  }
  const size_t nc = static_cast<size_t>(n_classes_);
  for (int k = 0; k < n; ++k) check_bump("assign", mus[k], coefficients + k * nc);

  // Bin first, so that each box's moments are summed in one pass over its bumps and written once.
  box_of_id_.resize(static_cast<size_t>(n));
  for (Box& box : boxes_) {
    box.ids.clear();
    box.mus.clear();
    box.coefficients.clear();
  }
  for (int k = 0; k < n; ++k) {
    const int b = box_of(mus[k]);
    box_of_id_[static_cast<size_t>(k)] = b;
    Box& box = boxes_[static_cast<size_t>(b)];
    box.ids.push_back(k);
    box.mus.push_back(mus[k]);
    box.coefficients.insert(box.coefficients.end(), coefficients + k * nc,
                            coefficients + (k + 1) * nc);
  }
  size_ = n;
  for (int b = 0; b < n_boxes_; ++b) {
    const size_t count = boxes_[static_cast<size_t>(b)].ids.size();
    if (count > 0) {
      accumulate(b, 0, count, true);
    } else if (counts_[static_cast<size_t>(b)] > 0) {
      clear_moments(b);
    }
    counts_[static_cast<size_t>(b)] = static_cast<int>(count);
  }
}

void GaussianBoxSum::clear_moments(int b) {
  const size_t row = static_cast<size_t>(n_classes_) * 2 * kOrder;
  std::fill_n(lo_.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(b) * row), row, 0.0);
  for (int c = 0; c < n_classes_; ++c) {
    for (int side = 0; side < 2; ++side) {
      for (int m = 0; m < kOrder; ++m) {
        hi_[index(c, side, m, b)] = 0.0;
      }
    }
  }
}

void GaussianBoxSum::remove(int id) {
  if (id < 0 || static_cast<size_t>(id) >= box_of_id_.size() ||
      box_of_id_[static_cast<size_t>(id)] < 0) {
    throw std::invalid_argument("GaussianBoxSum::remove: no bump has handle " +
                                std::to_string(id) + " (never added, or removed already)");
  }
  const int b = box_of_id_[static_cast<size_t>(id)];
  box_of_id_[static_cast<size_t>(id)] = -1;
  --size_;
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
  if (box.ids.empty()) {
    clear_moments(b);
  } else {
    accumulate(b, 0, box.ids.size(), true);
  }
}

void GaussianBoxSum::clear() {
  std::fill(hi_.begin(), hi_.end(), 0.0);
  std::fill(lo_.begin(), lo_.end(), 0.0);
  std::fill(counts_.begin(), counts_.end(), 0);
  for (Box& box : boxes_) box = Box();
  box_of_id_.clear();
  size_ = 0;
}

}  // namespace hpo::tpe
