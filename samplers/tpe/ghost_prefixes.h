// GhostPrefixes: what lets AboveDensity move a trial between the below and above sets without
// touching the kernels of the trials after it.
//
// AboveDensity weighs a boxed kernel by alpha + beta * rank, rank = its index among the members
// (the above set) in trial-number order. When an old trial joins the above set (a better trial
// pushed it out of the below set), every newer kernel's rank grows by one: at 10,000 trials that
// is thousands of kernels to re-add. So the boxes store position = rank + ghosts, counting the
// "ghosts" (trials of the below set, which may become members later at their place) as if they
// were members, and a ghost moving in or out of the above set changes no position. The
// difference is, with A the boxes' first class (sum of a_k K_k) and Q_g the same sum over the
// boxed kernels older than ghost g,
//   sum_k a_k (alpha + beta rank_k) K_k = (alpha - beta |G|) A + beta sum_k a_k position_k K_k
//                                         + beta sum_g Q_g,
// since sum_k a_k (ghosts older than k) K_k = sum_g (A - Q_g). This class keeps every Q_g and
// their sum, following the kernels that enter and leave the boxes.
//
// Most ghosts are recent trials with no boxed kernel newer than them (kernels enter the boxes
// about 25 trials after they finish): their Q_g is A itself, kept implicit ("full"), so that a
// new ghost costs nothing until a newer kernel is boxed.
//
// Accuracy: the sum is compensated (within ~2 ulps of the exact sum of the Q_g); each Q_g is a
// plain sum, exact at its making up to the boxes' rounding, then changed by one bump per kernel
// boxed or unboxed before it (few, for the same reason).
// The combination cancels at most |G| + 1 copies of A against the result, and a kernel's own
// weight alpha + beta * rank is at least 1/(|G| + 1) of what it adds in absolute value, so the
// relative error stays below ~(|G| + 2) * 4 ulps (26 below trials: ~2.5e-14).
#pragma once

#include <map>
#include <vector>

#include "samplers/tpe/gaussian_box_sum.h"

namespace hpo::tpe {

class GhostPrefixes {
 public:
  // Forgets every ghost. `boxes` (may be null: then nothing is kept) gives the layout and A;
  // the changes of sum_g Q_g go to the compensated array sum_hi + sum_lo (moments_size()
  // doubles each, owned by the caller, which may keep more in it).
  void reset(const GaussianBoxSum* boxes, double* sum_hi, double* sum_lo);

  // A kernel (its bump's terms, first-class coefficient `coef`, trial `number`) has just entered
  // (sign +1) or left (sign -1) the boxes: the ghosts newer than it change, and a full ghost
  // older than an entering kernel stops being full.
  void kernel_moved(int number, const GaussianBoxSum::BumpTerms& bump, double coef, double sign);

  // Ghost g, whose prefix is zero (no boxed kernel older), full (Q_g = A: none newer), or
  // `explicit_q` (moments_size() doubles). REQUIRES: g not a ghost.
  void add_zero(int g);
  void add_full(int g);
  void add(int g, std::vector<double> explicit_q);
  void remove(int g);  // no-op for an unknown g

  // Fresh builds: ghosts and boxed kernels in trial-number order; ghosts after the newest boxed
  // kernel (`newest_boxed`) are full.
  class Builder {
   public:
    Builder(GhostPrefixes& out, int newest_boxed);
    void kernel(const GaussianBoxSum::BumpTerms& bump, double coef);
    void ghost(int g);

   private:
    GhostPrefixes& out_;
    int newest_boxed_;
    std::vector<double> hi_, lo_;
    bool empty_ = true;
  };

  // Ghosts whose prefix is the whole of A: their terms cancel exactly, so the caller leaves them
  // out (|G| - n_full() in the formula above), and the sum leaves them out too.
  int n_full() const { return n_full_; }

  // A vector of moments_size() doubles (recycled: a prefix is 100 KB and more).
  std::vector<double> take_buffer();

 private:
  enum class Kind { kZero, kFull, kExplicit };
  struct Prefix {
    Kind kind = Kind::kZero;
    std::vector<double> q;  // kExplicit only
  };
  void make_explicit(Prefix& p, std::vector<double> q);

  const GaussianBoxSum* boxes_ = nullptr;
  std::map<int, Prefix> prefixes_;  // by ghost number
  double* sum_hi_ = nullptr;
  double* sum_lo_ = nullptr;
  int n_full_ = 0;
  std::vector<std::vector<double>> spare_;
};

}  // namespace hpo::tpe
