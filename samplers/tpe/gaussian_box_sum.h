// Sums of many Gaussian bumps of one width, sum_k c_k exp(-(x - mu_k)^2 / (2 sigma^2)), at a cost
// per point that does not grow with the number of bumps: the bumps are binned into boxes of width
// sigma/2 and each box keeps truncated Taylor moments, so a point visits the ~42 boxes within
// 10 sigma and evaluates one polynomial per box (Greengard and Strain, "The fast Gauss transform",
// 1991, use the same idea with Hermite expansions).
#pragma once

#include <cstddef>
#include <vector>

namespace hpo::tpe {

// The bumps of one width sigma, centred in [low, high], each with n_classes coefficients; a call
// to evaluate combines the classes with weights chosen per call:
//   value(x) = sum_c class_weights[c] * sum_k coef_{k,c} * exp(-(x - mu_k)^2 / (2 sigma^2)).
//
// Contract of evaluate():
// - Reach: value(x) includes every bump with |x - mu| <= 10 sigma and leaves out every bump with
//   |x - mu| > 10.5 sigma (between the two, a bump is in or out depending on its box). A left-out
//   bump weighs less than e^-50 = 2e-22 of its coefficient.
// - Accuracy: relative to the sum over the included bumps, the error is below 5.5e-14 (about 500
//   units of roundoff; the derivation is in gaussian_box_sum.cc), for any x, any number of bumps
//   and any placement, provided the nonzero coefficients and class weights lie in [1e-100, 1e100]
//   (outside it, underflow may cost accuracy). Up to 3.9e-14 of it is the rounding of
//   (x - mu) / sigma for bumps ~10 sigma away, which a plain double sum of exp() shares.
//   No cancellation occurs: every term of every expansion is >= 0.
// - Cost: O(n_classes * n_boxes_touched * 2 * kOrder) per call to combine the classes (none with
//   one class) plus about 42 boxes * kOrder multiply-adds and 42 exp() per point; no allocation
//   per point.
//
// add() costs O(n_classes * kOrder), remove() O(n_classes * kOrder * bumps in its box), assign()
// of n bumps O(n * n_classes * kOrder) in a few tight loops (several times cheaper than n adds).
// Memory: about 1.2 KB per box per class, with (high - low) / (sigma / 2) boxes.
// Not thread-safe for writes; const methods may run concurrently with each other.
class GaussianBoxSum {
 public:
  // Terms kept in each box's Taylor expansion of exp(u v); the truncation error is below 1.4e-18
  // relative for u v <= 5.25 (see the .cc).
  static constexpr int kOrder = 36;
  // Bumps farther than this many sigma from x may be left out (see the reach contract above).
  static constexpr double kReach = 10.0;
  // The largest (high - low) / sigma accepted, which bounds the memory (boxes are allocated densely).
  static constexpr double kMaxRangeInSigmas = 10000.0;

  // Throws std::invalid_argument unless low < high (both finite), sigma > 0 (finite),
  // (high - low) / sigma <= kMaxRangeInSigmas and n_classes >= 1.
  GaussianBoxSum(double low, double high, double sigma, int n_classes);

  // Adds a bump centred at mu with coefficients[0..n_classes) and returns its handle for remove().
  // Throws std::invalid_argument unless low <= mu <= high and every coefficient is finite and >= 0.
  int add(double mu, const double* coefficients);

  // Replaces every bump by the n bumps centred at mus[0..n) with coefficients[k * n_classes + c]
  // (row-major, n x n_classes); bump k gets handle k, as after clear() and n calls to add() in
  // order. The result meets the same contracts as those adds (the moments may differ from theirs
  // in the last bits: they are summed in another order). Throws std::invalid_argument, leaving the
  // structure as it was, unless n >= 0 and every mu and coefficient passes add()'s checks.
  void assign(const double* mus, const double* coefficients, int n);

  // Removes the bump with handle `id`. Its box's moments are recomputed from the box's remaining
  // bumps, never by subtraction, so the structure equals one built from those bumps alone (up to
  // the order of summation: within the accuracy bound, no residue of the removed bump).
  // Throws std::invalid_argument if no bump has that handle (never added, or removed already).
  void remove(int id);

  // Removes every bump; handles start again from 0.
  void clear();

  int size() const { return size_; }
  int n_classes() const { return n_classes_; }
  double sigma() const { return sigma_; }

  // out[i] = value(xs[i]) for i < n, with class_weights[0..n_classes). x may lie anywhere: a point
  // farther than 10.5 sigma from [low, high] gets 0, a NaN gets NaN. Throws std::invalid_argument
  // unless every class weight is finite and >= 0.
  void evaluate(const double* xs, int n, const double* class_weights, double* out) const;

  // Moment arrays kept outside the structure, in the layout of one class (moments_size()
  // doubles), for sums of bumps that a caller adds or subtracts as a whole (AboveDensity keeps
  // prefix sums by trial number). They hold moments only: remove() and assign() never see them.
  size_t moments_size() const;
  // out[0, moments_size()) = class c's moments (rounded).
  void copy_moments(int c, double* out) const;
  // One bump's moments (coefficient 1), to add to several arrays at the cost of one.
  struct BumpTerms {
    int box = 0;
    double terms[2][kOrder];
  };
  // Throws std::invalid_argument unless low <= mu <= high.
  void bump_terms(double mu, BumpTerms& out) const;
  // Adds factor (any sign) times the bump's moments to the array hi, or with lo given, to the
  // compensated pair hi + lo (TwoSum: the pair stays within ~2 ulps of the exact sum however
  // many bumps come and go, and hi is its rounded value).
  void add_terms(const BumpTerms& bump, double factor, double* hi, double* lo = nullptr) const;
  // hi + lo += factor * from, compensated as above.
  void add_moments(const double* from, double factor, double* hi, double* lo) const;
  // add_terms() for terms given box-major (terms[side * kOrder + m], as in BumpTerms), for
  // callers that keep per-box sums of bumps of their own.
  void add_box_terms(int box, const double* terms, double factor, double* hi,
                     double* lo = nullptr) const;
  // The same for many boxes at once: box b's terms at terms + block_of_box[b] * stride, for the
  // boxes with block_of_box[b] >= 0. A tile with several of them is transposed into the tiled
  // layout and added in one vectorized pass (there a box's terms are strided); same bits.
  void add_many_box_terms(const double* terms, size_t stride, const int* block_of_box,
                          double factor, double* hi, double* lo) const;
  int n_boxes() const { return n_boxes_; }
  // out[side * kOrder + m] = class c's moments of one box (rounded), box-major as BumpTerms.
  void copy_box_moments(int c, int box, double* out) const;
  // hi + lo += factor * from over [0, n), compensated as above. REQUIRES: n % 4 == 0.
  static void add_compensated(const double* from, double factor, double* hi, double* lo,
                              size_t n);

  struct Extra {
    const double* moments;  // moments_size() doubles
    double weight;
  };
  // evaluate() with the extra arrays added to the combination, each times its weight. Here class
  // and extra weights may have any sign, so the combination may cancel: the accuracy bound then
  // holds relative to the value with every weight and moment replaced by its absolute value,
  // and the caller answers for how much larger that is than the value. Throws
  // std::invalid_argument unless every weight is finite.
  void evaluate(const double* xs, int n, const double* class_weights, double* out,
                const Extra* extras, int n_extras) const;

 private:
  // Moments are kept in two expansions per box: around the box's left edge (used for points at or
  // right of that edge) and around its right edge (for points left of the left edge), so that u
  // and v always have the same sign. Boxes are grouped in tiles of kTile; layout
  // [class][tile][side][m][box in tile], so the kTile boxes of one moment are one contiguous
  // vector load and a tile's whole expansion is one contiguous block of memory.
  static constexpr int kTile = 8;
  // Edges kept beyond both ends, for the lanes of a tile that lie past the last box.
  static constexpr int kPad = kTile;
  // accumulate() sums this many bumps plainly before adding the sum compensated: the plain sum
  // costs at most kChunk - 1 roundings (part of the bound), the compensation is amortized.
  static constexpr int kChunk = 16;

  int box_of(double mu) const;
  // p0[m] = g u^m for m < kOrder with u = (mu - left) / sigma and g = exp(-u^2 / 2), and p1 the
  // same from the right edge: a bump's terms before its coefficient and 1/m!.
  void bump_powers(double mu, double left, double right, double* p0, double* p1) const;
  double edge(int box) const { return edges_[static_cast<size_t>(box + kPad)]; }
  size_t index(int c, int side, int m, int box) const {
    const size_t tile = static_cast<size_t>(c) * static_cast<size_t>(n_tiles_) +
                        static_cast<size_t>(box / kTile);
    return ((tile * 2 + static_cast<size_t>(side)) * kOrder + static_cast<size_t>(m)) * kTile +
           static_cast<size_t>(box % kTile);
  }
  // Adds the box's bumps [first, first + count) to its moments; `fresh` starts from zero moments
  // instead of the stored ones.
  void accumulate(int box, size_t first, size_t count, bool fresh);
  void check_bump(const char* caller, double mu, const double* coefficients) const;
  void clear_moments(int box);

  struct Box {
    std::vector<int> ids;
    std::vector<double> mus;
    std::vector<double> coefficients;  // n_classes per bump, in the order of ids
  };

  double low_;
  double high_;
  double sigma_;
  double inv_sigma_;
  double width_;
  int n_classes_;
  int n_boxes_;
  int n_tiles_;
  std::vector<double> edges_;   // edges_[kPad + b] = left edge of box b, for -kPad <= b
  std::vector<int> counts_;     // bumps per box, n_tiles_ * kTile of them
  std::vector<Box> boxes_;
  std::vector<double> hi_;      // moments, rounded (what evaluate reads)
  // Their compensation terms (moment = hi + lo to ~2 ulps), [box][class][side][m]: only add()
  // and remove() read them, and one box's are contiguous.
  std::vector<double> lo_;
  std::vector<int> box_of_id_;  // box by handle, -1 once removed
  std::vector<double> scratch_;  // accumulate()'s per-box sums, 2 * n_classes * 2 * kOrder
  int size_ = 0;
};

}  // namespace hpo::tpe
