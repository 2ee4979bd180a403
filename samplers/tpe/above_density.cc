#include "samplers/tpe/above_density.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cmath>
#include <numbers>

#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

// tpe_default_weights: the newest 25 observations weigh 1, older ones ramp up from 1/n.
constexpr int kFullWeightNewest = 25;
// The magic clip's floor is range / min(100, 1 + n_kernels): fixed from 99 members on, when
// floor-width kernels can share boxes. Boxes pay from about 300 kernels on: a box sum costs
// about as much per point as 300 exp.
constexpr int kBoxedMinKernels = 300;
const double kSqrt2Pi = std::sqrt(2.0 * std::numbers::pi);

}  // namespace

AboveDensity::AboveDensity(ParzenDimension dimension, const ParzenEstimatorOptions& options)
    : dim_(dimension), options_(options) {
  assert(options_.consider_prior && options_.consider_magic_clip);
  range_ = categorical() ? 1.0 : dim_.high - dim_.low;
  scale_ = range_;
  prior_slot_ = add_kernel(categorical() ? 0.0 : 0.5 * (dim_.low + dim_.high), -1);
  rebuild();
}

AboveDensity::~AboveDensity() = default;

double AboveDensity::floor_sigma() const {
  return range_ / std::min(100.0, 1.0 + n_kernels());
}

int AboveDensity::ramp_end() const {
  return n_members_ < kFullWeightNewest ? 0 : n_members_ - kFullWeightNewest;
}

AboveDensity::Ramp AboveDensity::ramp() const {
  Ramp r;
  r.end = ramp_end();
  r.alpha = n_members_ > 0 ? 1.0 / n_members_ : 0.0;
  r.beta = r.end >= 2 ? (1.0 - 1.0 / n_members_) / (r.end - 1) : 0.0;
  return r;
}

double AboveDensity::total_weight() const {
  const Ramp r = ramp();
  const double end = r.end;
  const double ramp_sum = end > 0 ? end * r.alpha + r.beta * end * (end - 1) / 2 : 0.0;
  return ramp_sum + (n_members_ - end) + options_.prior_weight;
}

int AboveDensity::add_kernel(double mu, int number) {
  int slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<int>(kernels_.size());
    kernels_.emplace_back();
    direct_position_.push_back(-1);
    tallied_.emplace_back();
  }
  Kernel& k = kernels_[slot];
  k = Kernel{};
  k.mu = mu;
  k.number = number;
  if (dim_.kind == DimensionKind::kDiscrete) k.cell = dim_.cell_of(mu);
  k.alive = true;
  by_value_.emplace(ValueKey{mu, number < 0 ? INT_MAX : number}, slot);
  if (number >= 0) {
    if (static_cast<int>(slot_by_number_.size()) <= number) slot_by_number_.resize(number + 1, -1);
    slot_by_number_[number] = slot;
    ++n_members_;
    max_number_ = std::max(max_number_, number);
  }
  return slot;
}

void AboveDensity::remove_kernel(int slot) {
  take_out_of_boxes(slot);
  untally(slot);
  take_out_of_direct(slot);
  Kernel& k = kernels_[slot];
  by_value_.erase(ValueKey{k.mu, k.number < 0 ? INT_MAX : k.number});
  slot_by_number_[k.number] = -1;
  --n_members_;
  k.alive = false;
  free_slots_.push_back(slot);
}

std::vector<AboveDensity::Member> AboveDensity::members() const {
  std::vector<Member> out;
  for (int number = 0; number < static_cast<int>(slot_by_number_.size()); ++number) {
    const int slot = slot_by_number_[number];
    if (slot >= 0) out.push_back({number, kernels_[slot].mu});
  }
  return out;
}

void AboveDensity::refresh_width(std::map<ValueKey, int>::iterator it) {
  Kernel& k = kernels_[it->second];
  if (categorical()) return;
  if (k.number < 0) {
    k.sigma = range_;  // the prior spans the support
  } else {
    // As ParzenEstimator: the larger gap to the sorted neighbours (the support's ends count),
    // the outermost kernels looking only inwards without consider_endpoints; then the clip.
    const bool first = it == by_value_.begin();
    const bool last = std::next(it) == by_value_.end();
    const double left = first ? dim_.low : std::prev(it)->first.first;
    const double right = last ? dim_.high : std::next(it)->first.first;
    double sigma = std::max(k.mu - left, right - k.mu);
    if (!options_.consider_endpoints && n_kernels() >= 2) {
      if (first) sigma = right - k.mu;
      if (last) sigma = k.mu - left;
    }
    k.sigma = std::clamp(sigma, floor_sigma(), range_);
  }
  const double lognorm =
      log_normalizer((dim_.low - k.mu) / k.sigma, (dim_.high - k.mu) / k.sigma);
  if (continuous()) {
    const double width = options_.normalized_kernels ? k.sigma : 1.0;
    k.coef = scale_ / (width * kSqrt2Pi * std::exp(lognorm));
  } else {
    k.coef = scale_ * std::exp(-lognorm);
  }
}

void AboveDensity::refresh_around(double mu, int number) {
  if (by_value_.empty()) return;
  auto it = by_value_.lower_bound(ValueKey{mu, number < 0 ? INT_MAX : number});
  // The kernel itself (if present) and its neighbours on both sides.
  std::map<ValueKey, int>::iterator around[3];
  int n_around = 0;
  if (it != by_value_.end()) {
    around[n_around++] = it;
    if (std::next(it) != by_value_.end()) around[n_around++] = std::next(it);
  }
  if (it != by_value_.begin()) around[n_around++] = std::prev(it);
  for (int i = 0; i < n_around; ++i) {
    refresh_width(around[i]);
    place(around[i]->second);
  }
}

void AboveDensity::take_out_of_boxes(int slot) {
  Kernel& k = kernels_[slot];
  if (k.box_id < 0) return;
  boxes_->remove(k.box_id);
  k.box_id = -1;
  GaussianBoxSum::BumpTerms bump;
  boxes_->bump_terms(k.mu, bump);
  const int box_rank = k.box_position - ghosts_before(k.number);
  boxes_->add_terms(bump, -k.box_coef * box_rank, rank_hi_.data(), rank_lo_.data());
  ghost_suffixes_.kernel_moved(k.number, bump, k.box_coef, -1.0);
}

void AboveDensity::take_out_of_direct(int slot) {
  const int pos = direct_position_[slot];
  if (pos < 0) return;
  direct_[pos] = direct_.back();
  direct_position_[direct_[pos]] = pos;
  direct_.pop_back();
  direct_position_[slot] = -1;
}

void AboveDensity::place(int slot) {
  if (!continuous()) {
    tally(slot);
    return;
  }
  Kernel& k = kernels_[slot];
  const bool in_boxes = boxed(k);
  if (k.box_id >= 0 && in_boxes) {
    if (k.box_position != k.position) {
      // A position that changed is one add to rank_hi_; the box itself stays.
      GaussianBoxSum::BumpTerms bump;
      boxes_->bump_terms(k.mu, bump);
      boxes_->add_terms(bump, k.box_coef * (k.position - k.box_position), rank_hi_.data(),
                        rank_lo_.data());
      k.box_position = k.position;
    }
    return;
  }
  take_out_of_boxes(slot);
  if (in_boxes) {
    take_out_of_direct(slot);
    k.box_id = boxes_->add(k.mu, &k.coef);
    k.box_position = k.position;
    k.box_coef = k.coef;
    GaussianBoxSum::BumpTerms bump;
    boxes_->bump_terms(k.mu, bump);
    boxes_->add_terms(bump, k.coef * rank_of(k), rank_hi_.data(), rank_lo_.data());
    ghost_suffixes_.kernel_moved(k.number, bump, k.coef, 1.0);
  } else if (direct_position_[slot] < 0) {
    direct_position_[slot] = static_cast<int>(direct_.size());
    direct_.push_back(slot);
  }
}

void AboveDensity::rebuild() {
  last_floor_ = categorical() ? 0.0 : floor_sigma();
  std::vector<int> ignored;
  reposition_from(0, ignored);
  for (auto it = by_value_.begin(); it != by_value_.end(); ++it) refresh_width(it);
  boxes_.reset();
  if (continuous() && n_kernels() >= kBoxedMinKernels) {
    boxes_ = std::make_unique<GaussianBoxSum>(dim_.low, dim_.high, last_floor_, 1);
  }
  refill();
}

bool AboveDensity::boxed(const Kernel& k) const {
  return boxes_ && k.number >= 0 && k.sigma == last_floor_ && rank_of(k) < ramp_end();
}

void AboveDensity::refill() {
  // What place() would do for every kernel, with the boxed ones built in one pass.
  direct_.clear();
  std::fill(direct_position_.begin(), direct_position_.end(), -1);
  if (!continuous()) {
    tallies_.assign(static_cast<size_t>(n_cells()), CellTally{});
    std::fill(tallied_.begin(), tallied_.end(), Tallied{});
    for (int slot = 0; slot < static_cast<int>(kernels_.size()); ++slot) {
      if (kernels_[slot].alive) place(slot);
    }
    return;
  }
  std::vector<int> slots;
  std::vector<double> mus, coefficients;
  for (int slot = 0; slot < static_cast<int>(kernels_.size()); ++slot) {
    Kernel& k = kernels_[slot];
    k.box_id = -1;
    if (!k.alive) continue;
    if (boxed(k)) {
      slots.push_back(slot);
      mus.push_back(k.mu);
      coefficients.push_back(k.coef);
      k.box_position = k.position;
      k.box_coef = k.coef;
    } else {
      direct_position_[slot] = static_cast<int>(direct_.size());
      direct_.push_back(slot);
    }
  }
  const size_t size = boxes_ ? boxes_->moments_size() : 0;
  rank_hi_.assign(size, 0.0);
  rank_lo_.assign(size, 0.0);
  ghost_suffixes_.reset(boxes_.get(), rank_hi_.data(), rank_lo_.data());
  if (!boxes_) return;
  boxes_->assign(mus.data(), coefficients.data(), static_cast<int>(slots.size()));
  for (size_t i = 0; i < slots.size(); ++i) kernels_[slots[i]].box_id = static_cast<int>(i);
  // The ranks, and every ghost's suffix in one pass from the newest trial to the oldest.
  GhostSuffixes::Builder suffixes(ghost_suffixes_);
  const int last = std::max(static_cast<int>(slot_by_number_.size()),
                            static_cast<int>(ghost_by_number_.size()));
  for (int number = last - 1; number >= 0; --number) {
    if (is_ghost(number)) suffixes.ghost(number);
    const int slot =
        number < static_cast<int>(slot_by_number_.size()) ? slot_by_number_[number] : -1;
    if (slot < 0 || kernels_[slot].box_id < 0) continue;
    const Kernel& k = kernels_[slot];
    GaussianBoxSum::BumpTerms bump;
    boxes_->bump_terms(k.mu, bump);
    boxes_->add_terms(bump, k.coef * rank_of(k), rank_hi_.data(), rank_lo_.data());
    suffixes.kernel(bump, k.coef);
  }
}

void AboveDensity::update(const std::vector<Member>& added_in, const std::vector<int>& removed,
                          const std::vector<int>& ghosts_added,
                          const std::vector<int>& ghosts_removed) {
  std::vector<Member> added = added_in;
  std::sort(added.begin(), added.end(),
            [](const Member& a, const Member& b) { return a.number < b.number; });
  const int old_ramp = ramp_end();
  // A member coming or going shifts the rank of every newer kernel; positions (ranks counting
  // ghosts) shift only when a trial joins or leaves both sets, not when it moves between them.
  int lowest_position = INT_MAX;
  std::vector<std::pair<int, int>> rank_shifts;  // (trial number, +1 or -1)
  auto contains = [](const std::vector<int>& v, int number) {
    return std::find(v.begin(), v.end(), number) != v.end();
  };
  std::vector<int> added_numbers;
  for (const Member& m : added) added_numbers.push_back(m.number);
  std::vector<ValueKey> gone;
  for (int number : removed) {
    const int slot = slot_by_number_[number];
    assert(slot >= 0);
    gone.push_back({kernels_[slot].mu, number});
    remove_kernel(slot);
    rank_shifts.push_back({number, -1});
    if (!contains(ghosts_added, number)) lowest_position = std::min(lowest_position, number);
  }
  for (int number : ghosts_removed) {
    remove_ghost(number);
    if (!contains(added_numbers, number)) lowest_position = std::min(lowest_position, number);
  }
  std::vector<int> fresh;
  for (const Member& m : added) {
    const bool appended = m.number > max_number_;
    const int slot = add_kernel(m.value, m.number);
    if (!appended) {
      rank_shifts.push_back({m.number, +1});
      if (!contains(ghosts_removed, m.number)) {
        lowest_position = std::min(lowest_position, m.number + 1);
      }
    }
    fresh.push_back(slot);
  }
  for (int number : ghosts_added) {
    if (number <= max_number_ && !contains(removed, number)) {
      lowest_position = std::min(lowest_position, number);
    }
    add_ghost(number);
  }
  // The fresh kernels' positions, in trial-number order, once every member and ghost is in
  // place (those after lowest_position are set again below with every newer one).
  for (int slot : fresh) kernels_[slot].position = position_at(kernels_[slot].number);
  const size_t n_changes =
      removed.size() + added.size() + ghosts_added.size() + ghosts_removed.size();
  if (n_changes == 0) return;
  if (!categorical() && floor_sigma() != last_floor_) {
    // Few kernels: the floor still moves with their number, and with it every width.
    rebuild();
    return;
  }
  std::vector<int> position_changed;
  if (lowest_position != INT_MAX) reposition_from(lowest_position, position_changed);
  if (!continuous()) {
    // The tallies hold ranks: one pass over the newer trials per member that came or went.
    for (const auto& [number, delta] : rank_shifts) shift_tallied_ranks(number, delta);
  }
  if (categorical()) {
    // No widths: the fresh kernels are tallied.
    for (int slot : fresh) place(slot);
  } else {
    for (const ValueKey& key : gone) refresh_around(key.first, key.second);
    for (int slot : fresh) refresh_around(kernels_[slot].mu, kernels_[slot].number);
  }
  if (continuous()) {
    if (!boxes_) {
      if (n_kernels() >= kBoxedMinKernels) rebuild();
      return;
    }
  }
  // Positions change when a trial finishes after newer ones: one add each for a boxed kernel.
  for (int slot : position_changed) place(slot);
  // Kernels whose rank crossed the ramp's end change class. Both moved by at most n_changes, so
  // only kernels that near the end can have crossed; the end is near the newest trials, so they
  // are found walking back from the newest.
  const int new_ramp = ramp_end();
  const int lo = std::min(old_ramp, new_ramp) - static_cast<int>(n_changes);
  const int hi = std::max(old_ramp, new_ramp) + static_cast<int>(n_changes);
  int rank = n_members_;
  for (int number = std::min(max_number_, static_cast<int>(slot_by_number_.size()) - 1);
       number >= 0 && rank > lo; --number) {
    const int slot = slot_by_number_[number];
    if (slot < 0) continue;
    --rank;
    if (rank <= hi) place(slot);
  }
}

}  // namespace hpo::tpe
