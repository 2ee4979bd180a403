// AboveDensity's chronological bookkeeping (the updates are in above_density.cc): positions
// among members and ghosts, the ghosts' suffixes, and the discrete and categorical tallies.
#include <algorithm>
#include <cassert>
#include <vector>

#include "samplers/tpe/above_density.h"

namespace hpo::tpe {

int AboveDensity::ghosts_before(int number) const {
  return static_cast<int>(std::lower_bound(ghost_numbers_.begin(), ghost_numbers_.end(), number) -
                          ghost_numbers_.begin());
}

int AboveDensity::position_at(int number) const {
  // The nearest older member's position, plus the ghosts between it and `number`.
  for (int n = std::min(number, static_cast<int>(slot_by_number_.size())) - 1; n >= 0; --n) {
    const int slot = slot_by_number_[n];
    if (slot >= 0) return kernels_[slot].position + 1 + ghosts_before(number) - ghosts_before(n);
  }
  return ghosts_before(number);
}

void AboveDensity::reposition_from(int from_number, std::vector<int>& changed) {
  from_number = std::max(from_number, 0);
  int position = position_at(from_number);
  const int n_numbers = static_cast<int>(slot_by_number_.size());
  const int last = std::max(n_numbers, static_cast<int>(ghost_by_number_.size()));
  for (int number = from_number; number < last; ++number) {
    const int slot = number < n_numbers ? slot_by_number_[number] : -1;
    if (slot < 0) {
      if (is_ghost(number)) ++position;
      continue;
    }
    Kernel& k = kernels_[slot];
    if (k.position != position) {
      k.position = position;
      changed.push_back(slot);
    }
    ++position;
  }
}

void AboveDensity::shift_tallied_ranks(int after_number, int delta) {
  for (int number = after_number + 1; number < static_cast<int>(slot_by_number_.size());
       ++number) {
    const int slot = slot_by_number_[number];
    if (slot < 0) continue;
    Tallied& t = tallied_[slot];
    if (t.cell < 0 || t.rank < 0) continue;
    tallies_[static_cast<size_t>(t.cell)].rank_sum += delta;
    t.rank += delta;
  }
}

void AboveDensity::add_ghost(int number) {
  if (static_cast<int>(ghost_by_number_.size()) <= number) {
    ghost_by_number_.resize(static_cast<size_t>(number) + 1, 0);
  }
  ghost_by_number_[static_cast<size_t>(number)] = 1;
  ghost_numbers_.insert(
      std::lower_bound(ghost_numbers_.begin(), ghost_numbers_.end(), number), number);
  max_number_ = std::max(max_number_, number);
  if (boxes_) add_ghost_suffix(number);
}

void AboveDensity::remove_ghost(int number) {
  assert(is_ghost(number));
  ghost_by_number_[static_cast<size_t>(number)] = 0;
  ghost_numbers_.erase(
      std::lower_bound(ghost_numbers_.begin(), ghost_numbers_.end(), number));
  ghost_suffixes_.remove(number);
}

void AboveDensity::add_ghost_suffix(int number) {
  // The boxed kernels newer than the ghost, or all of them less the older ones, whichever side
  // has fewer: a new ghost is usually the newest trial, with nothing newer.
  ghost_suffixes_.add(number);
  std::vector<int> newer;
  for (int n = number + 1; n < static_cast<int>(slot_by_number_.size()); ++n) {
    const int slot = slot_by_number_[n];
    if (slot >= 0 && kernels_[slot].box_id >= 0) newer.push_back(slot);
  }
  GaussianBoxSum::BumpTerms bump;
  if (newer.size() <= static_cast<size_t>(boxes_->size()) / 2) {
    for (int slot : newer) {
      boxes_->bump_terms(kernels_[slot].mu, bump);
      ghost_suffixes_.add_to_suffix(number, bump, kernels_[slot].box_coef);
    }
    return;
  }
  ghost_suffixes_.start_from_all(number);
  for (int n = 0; n < std::min(number, static_cast<int>(slot_by_number_.size())); ++n) {
    const int slot = slot_by_number_[n];
    if (slot < 0 || kernels_[slot].box_id < 0) continue;
    boxes_->bump_terms(kernels_[slot].mu, bump);
    ghost_suffixes_.add_to_suffix(number, bump, -kernels_[slot].box_coef);
  }
}

int AboveDensity::n_cells() const {
  return categorical() ? dim_.n_choices
                       : static_cast<int>(std::round((dim_.high - dim_.low) / dim_.step));
}

int AboveDensity::tally_cell(const Kernel& k) const {
  if (!k.alive || k.number < 0) return -1;
  if (categorical()) return static_cast<int>(k.mu);
  return k.sigma == last_floor_ ? k.cell : -1;
}

void AboveDensity::untally(int slot) {
  Tallied& t = tallied_[slot];
  if (t.cell < 0) return;
  CellTally& cell = tallies_[static_cast<size_t>(t.cell)];
  if (t.rank >= 0) {
    --cell.n_ramp;
    cell.rank_sum -= t.rank;
  } else {
    --cell.n_flat;
  }
  t = Tallied{};
}

void AboveDensity::tally(int slot) {
  const Kernel& k = kernels_[slot];
  const int cell = tally_cell(k);
  const int rank = k.number >= 0 && rank_of(k) < ramp_end() ? rank_of(k) : -1;
  Tallied& t = tallied_[slot];
  if (t.cell == cell && t.rank == rank && (cell >= 0 || direct_position_[slot] >= 0)) return;
  untally(slot);
  if (cell < 0) {
    if (direct_position_[slot] < 0) {
      direct_position_[slot] = static_cast<int>(direct_.size());
      direct_.push_back(slot);
    }
    return;
  }
  take_out_of_direct(slot);
  CellTally& c = tallies_[static_cast<size_t>(cell)];
  c.coef = categorical() ? 1.0 : k.coef;
  if (rank >= 0) {
    ++c.n_ramp;
    c.rank_sum += rank;
  } else {
    ++c.n_flat;
  }
  t = Tallied{cell, rank};
}

}  // namespace hpo::tpe
