// AboveDensity: the "above" estimator g(x) of univariate TPE for one parameter, kept across asks.
//
// ParzenEstimator is built from all observations on every ask; at 10,000 trials that build, not
// the scoring, is most of an ask. An above set changes little between asks (usually one trial
// joins), so this estimator is told which trials joined and left, and updates only what changes:
// the sorted kernels and their neighbours' widths, and the weights, which are affine in a
// kernel's chronological rank (tpe_default_weights: a ramp for the oldest, 1 for the newest 25),
// so that a new trial changes two coefficients, not every kernel's weight.
//
// Continuous kernels of the magic clip's floor width that sit on the ramp live in a
// GaussianBoxSum (a_k K_k), with a second moment array beside it for the rank part of their
// weights, so that scoring a point costs a few boxes' moments instead of ~1,900 exp at 10,000
// trials. A trial moving between the below and above sets shifts the rank of every newer kernel;
// each below-set trial ("ghost") keeps the sum of the boxed kernels newer than it, which the
// move adds to or takes from that array (see ghost_suffixes.h). Every other kernel (the newest
// 25, wider ones, the prior) is summed directly. Discrete and categorical dimensions
// tally their kernels by grid cell or choice in integers (counts and rank sums, kept up to date
// as kernels change), so that a call weighs a cell, not each of its kernels.
//
// Same kernels, widths and weights as ParzenEstimator with tpe_default_weights, the prior and
// the magic clip (the sampler uses this only then); log_pdf agrees with it to 1e-12 (tested).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/gaussian_box_sum.h"
#include "samplers/tpe/ghost_suffixes.h"
#include "samplers/tpe/parzen_estimator.h"

namespace hpo::tpe {

class AboveDensity {
 public:
  // REQUIRES: options.consider_prior and options.consider_magic_clip, a valid dimension.
  AboveDensity(ParzenDimension dimension, const ParzenEstimatorOptions& options);
  ~AboveDensity();

  struct Member {
    int number;    // trial number: the chronological order of kernels
    double value;  // in the dimension's space (choice index for categoricals)
  };
  // Removes the trials `removed` (which must be members) and adds `added` (which must not be).
  // `ghosts_added` and `ghosts_removed` name trials that are no members but may become ones later
  // at their place (the below set; see ghost_suffixes.h): they change no value of log_pdf, only
  // what a later move costs. A trial is a member, a ghost or neither; a trial moving between the
  // two sets is removed from one and added to the other in the same update.
  void update(const std::vector<Member>& added, const std::vector<int>& removed,
              const std::vector<int>& ghosts_added = {},
              const std::vector<int>& ghosts_removed = {});

  int n_members() const { return n_members_; }
  // The members in trial-number order, for tests and fresh builds.
  std::vector<Member> members() const;

  // out(i) = log g(samples(i, 0)), as ParzenEstimator::log_pdf of the members (in trial-number
  // order) with tpe_default_weights.
  void log_pdf(const Eigen::MatrixXd& samples, Eigen::VectorXd& out) const;

 private:
  struct Kernel {
    double mu = 0.0;
    double sigma = 0.0;
    double coef = 0.0;  // 1 / normalizer, scaled by the range (see scale_)
    int number = -1;    // -1: the prior
    int cell = -1;      // discrete: the grid cell of mu (ParzenDimension::cell_of)
    int position = 0;   // chronological index among members and ghosts (rank_of() gives the
                        // index among members)
    int box_id = -1;    // in boxes_ (rank < ramp, floor width), else -1
    int box_position = 0;   // the position it carries in rank_hi_
    double box_coef = 0.0;  // the coef it was boxed with (refresh_width may change coef first)
    bool alive = false;
  };
  using ValueKey = std::pair<double, int>;  // (mu, number); the prior sorts after its ties

  bool continuous() const { return dim_.kind == DimensionKind::kContinuous; }
  bool categorical() const { return dim_.kind == DimensionKind::kCategorical; }
  int n_kernels() const { return n_members_ + 1; }
  double floor_sigma() const;
  // Weights: w(rank) = alpha + beta * rank below the ramp's end, 1 after it; the prior's is
  // options_.prior_weight. total_weight() sums them all.
  struct Ramp {
    int end = 0;
    double alpha = 0.0;
    double beta = 0.0;
    double operator()(int rank) const { return rank < end ? alpha + beta * rank : 1.0; }
  };
  int ramp_end() const;
  Ramp ramp() const;
  double total_weight() const;

  int add_kernel(double mu, int number);
  void remove_kernel(int slot);
  // The kernel's width from its neighbours, and its coefficient.
  void refresh_width(std::map<ValueKey, int>::iterator it);
  void refresh_around(double mu, int number);
  // Positions from trial number `from` on; appends the slots whose position changed.
  void reposition_from(int from_number, std::vector<int>& changed);
  // The position trial `number` has or would have (members and ghosts before it).
  int position_at(int number) const;
  int ghosts_before(int number) const;
  // The kernel's index among members in trial-number order.
  int rank_of(const Kernel& k) const { return k.position - ghosts_before(k.number); }
  // Discrete and categorical: a member came (+1) or went (-1) at `after_number`, so every newer
  // tallied kernel on the ramp moved one rank.
  void shift_tallied_ranks(int after_number, int delta);
  bool is_ghost(int number) const {
    return number >= 0 && number < static_cast<int>(ghost_by_number_.size()) &&
           ghost_by_number_[static_cast<size_t>(number)];
  }
  void add_ghost(int number);
  void remove_ghost(int number);
  // Gives ghost_suffixes_ the boxed kernels newer than ghost `number`.
  void add_ghost_suffix(int number);
  // Whether kernel k belongs in boxes_: floor width, on the ramp (not among the newest 25).
  bool boxed(const Kernel& k) const;
  // Puts kernel `slot` where its width and rank say: in boxes_ or direct_ (continuous), in
  // tallies_ or direct_ (discrete, categorical).
  void place(int slot);
  // Discrete and categorical: the cell kernel k is tallied in, or -1 (summed directly).
  int tally_cell(const Kernel& k) const;
  void tally(int slot);
  void untally(int slot);
  void take_out_of_boxes(int slot);
  void take_out_of_direct(int slot);
  // place() for every kernel, the boxed ones in one bulk build.
  void refill();
  int n_cells() const;
  // Widths, ranks and boxes from scratch.
  void rebuild();

  double log_pdf_continuous(double x) const;

  ParzenDimension dim_;
  ParzenEstimatorOptions options_;
  double range_ = 1.0;
  double scale_ = 1.0;  // coefficients are multiplied by this (the range) to stay near 1

  std::vector<Kernel> kernels_;  // slots; dead ones are reused
  std::vector<int> free_slots_;
  std::map<ValueKey, int> by_value_;  // every kernel, the prior included
  std::vector<int> slot_by_number_;   // -1 where the trial is no member
  int n_members_ = 0;
  int prior_slot_ = -1;
  int max_number_ = -1;  // the newest member or ghost
  std::vector<char> ghost_by_number_;
  std::vector<int> ghost_numbers_;  // the same, sorted
  GhostSuffixes ghost_suffixes_;  // continuous with boxes only
  double last_floor_ = 0.0;
  // Continuous only, from kBoxedMinKernels kernels on (the floor width is fixed by then).
  std::unique_ptr<GaussianBoxSum> boxes_;
  std::vector<int> direct_;  // live kernels in neither boxes_ nor tallies_, by slot
  std::vector<int> direct_position_;  // slot -> index in direct_, or -1
  // With boxes_: sum over boxed kernels of coef * rank * bump, compensated, kept as the sum of
  // coef * box_position * bump less the ghosts' suffixes (ghost_suffixes.h): boxes_ hold
  // coef * bump, so that a kernel's weight alpha + beta * rank is these two arrays'
  // combination, and a position that changes is one add here. A boxed kernel's share is
  // box_coef * (box_position - ghosts older than it) * bump.
  std::vector<double> rank_hi_, rank_lo_;
  // Discrete and categorical: per cell (choice), its tallied kernels on the ramp (count and sum
  // of ranks) and after it; a cell's weight is then coef * (alpha * n_ramp + beta * rank_sum +
  // n_flat), exact integers until that last step. coef is the same for every kernel of a cell
  // (same centre, the floor width; 1 for categoricals).
  struct CellTally {
    int64_t n_ramp = 0;
    int64_t rank_sum = 0;
    int64_t n_flat = 0;
    double coef = 0.0;
  };
  std::vector<CellTally> tallies_;
  // Per slot, what the kernel put in tallies_: its cell (-1: none) and rank (-1: after the ramp).
  struct Tallied {
    int cell = -1;
    int rank = -1;
  };
  std::vector<Tallied> tallied_;
  // Discrete: the floor-width kernels' cell masses, filled as log_pdf needs them. log_pdf runs
  // under the feed's lock, so these caches are never written concurrently.
  mutable std::optional<CellMassTable> cell_masses_;
  mutable double cell_masses_floor_ = 0.0;
  mutable std::vector<double> mass_by_offset_;  // exp of the table's values, NaN until used
};

}  // namespace hpo::tpe
