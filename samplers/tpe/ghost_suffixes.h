// GhostSuffixes: what lets AboveDensity move a trial between the below and above sets without
// touching the kernels of the trials after it.
//
// AboveDensity weighs a boxed kernel by alpha + beta * rank, rank = its index among the members
// (the above set) in trial-number order, and keeps R = sum_k a_k rank_k K_k over the boxed
// kernels beside the boxes (A = sum_k a_k K_k). When a trial moves between the below set and the
// above set at its place, the rank of every newer kernel changes by one: at 10,000 trials that
// is thousands of kernels. So each below-set trial ("ghost", which may become a member at its
// place later) keeps its suffix N_g = sum of a_k K_k over the boxed kernels newer than g, and
//   ghost g joins the above set:   R += N_g      a member g becomes a ghost:   R -= N_g.
//
// A suffix has two parts. What it held when made (a fresh build, or a ghost with many newer
// kernels) is dense, in the boxes' tiled layout: one vectorized pass adds it to R. Kernels that
// enter or leave the boxes later (one per ask: a kernel is boxed ~25 trials after it finishes)
// go to the suffixes of the ghosts older than it, box by box: one contiguous add per ghost (in
// the tiled layout a box's terms are strided, a cache line each), into blocks kept only for the
// boxes that changed.
//
// Positions: AboveDensity also counts ranks with ghosts included ("positions", rank = position -
// ghosts older), which a move between the sets leaves alone; R is kept as
// sum_k a_k position_k K_k - sum_g N_g, which is the same sum.
//
// Accuracy: R and the boxes' blocks are compensated pairs (TwoSum: within ~2 ulps of the exact
// sum of what was added, however many bumps come and go), the dense part is a compensated sum
// rounded once, and every term of R is >= 0 in exact arithmetic, so beta * R adds nothing to the
// box sum's error but a few ulps of each term that came and went.
#pragma once

#include <map>
#include <vector>

#include "samplers/tpe/gaussian_box_sum.h"

namespace hpo::tpe {

class GhostSuffixes {
 public:
  // Forgets every ghost. `boxes` (may be null: then nothing is kept) gives the layout; the
  // changes of R go to the compensated array rank_hi + rank_lo (moments_size() doubles each,
  // owned by the caller, which keeps the rest of R in it).
  void reset(const GaussianBoxSum* boxes, double* rank_hi, double* rank_lo);

  // A kernel (its bump's terms, first-class coefficient `coef`, trial `number`) has just entered
  // (sign +1) or left (sign -1) the boxes: the suffixes of the ghosts older than it change. R is
  // the caller's: it weighs the kernel by its rank, which counts these ghosts out.
  void kernel_moved(int number, const GaussianBoxSum::BumpTerms& bump, double coef, double sign);

  // A member (or a new trial) becomes ghost g: its suffix is what the caller then passes to
  // add_to_suffix, one boxed kernel newer than g at a time, or, after start_from_all (every
  // boxed kernel: the boxes' first class), the older ones with their coefficients negated.
  // R loses the suffix as it comes. REQUIRES: g not a ghost.
  void add(int g);
  void add_to_suffix(int g, const GaussianBoxSum::BumpTerms& bump, double coef);
  void start_from_all(int g);
  // Ghost g joins the above set at its place, or leaves the study: R gains its suffix back.
  // No-op for an unknown g.
  void remove(int g);

  // Fresh builds: the caller walks the trials from the newest to the oldest, passing the boxed
  // kernels and the ghosts; each ghost's suffix is the kernels passed before it. R is left to
  // the caller (its kernels' ranks already count the ghosts out).
  class Builder {
   public:
    explicit Builder(GhostSuffixes& out);
    void kernel(const GaussianBoxSum::BumpTerms& bump, double coef);
    void ghost(int g);

   private:
    GhostSuffixes& out_;
    std::vector<double> hi_, lo_;  // the kernels passed so far, tiled layout
    bool empty_ = true;
  };

 private:
  // A box's block: its 2 * kOrder terms (box-major, as BumpTerms), then their compensation.
  static constexpr size_t kTerms = 2 * GaussianBoxSum::kOrder;
  static constexpr size_t kBlock = 2 * kTerms;
  struct Suffix {
    std::vector<double> dense;      // tiled layout (moments_size()), or empty
    std::vector<int> block_of_box;  // index into blocks, or -1
    std::vector<double> blocks;     // kBlock per box that changed since the making
  };
  Suffix make_suffix();
  Suffix& at(int g);
  void add_terms(Suffix& s, const GaussianBoxSum::BumpTerms& bump, double factor) const;
  // R += sign * N_g.
  void add_to_rank(const Suffix& s, double sign) const;

  const GaussianBoxSum* boxes_ = nullptr;
  std::map<int, Suffix> suffixes_;  // by ghost number
  double* rank_hi_ = nullptr;
  double* rank_lo_ = nullptr;
  std::vector<Suffix> spare_;  // recycled arrays (a dense part is 120 KB and more)
};

}  // namespace hpo::tpe
