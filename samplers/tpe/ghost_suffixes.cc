#include "samplers/tpe/ghost_suffixes.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace hpo::tpe {

void GhostSuffixes::reset(const GaussianBoxSum* boxes, double* rank_hi, double* rank_lo) {
  boxes_ = boxes;
  rank_hi_ = rank_hi;
  rank_lo_ = rank_lo;
  for (auto& [g, s] : suffixes_) spare_.push_back(std::move(s));
  suffixes_.clear();
}

GhostSuffixes::Suffix GhostSuffixes::make_suffix() {
  Suffix s;
  if (!spare_.empty()) {
    s = std::move(spare_.back());
    spare_.pop_back();
  }
  s.dense.clear();  // the capacities stay
  s.blocks.clear();
  s.block_of_box.assign(static_cast<size_t>(boxes_->n_boxes()), -1);
  return s;
}

GhostSuffixes::Suffix& GhostSuffixes::at(int g) {
  auto it = suffixes_.find(g);
  assert(it != suffixes_.end());
  return it->second;
}

void GhostSuffixes::add_terms(Suffix& s, const GaussianBoxSum::BumpTerms& bump,
                              double factor) const {
  int& block = s.block_of_box[static_cast<size_t>(bump.box)];
  if (block < 0) {
    block = static_cast<int>(s.blocks.size() / kBlock);
    s.blocks.resize(s.blocks.size() + kBlock, 0.0);
  }
  double* b = s.blocks.data() + static_cast<size_t>(block) * kBlock;
  GaussianBoxSum::add_compensated(&bump.terms[0][0], factor, b, b + kTerms, kTerms);
}

void GhostSuffixes::add_to_rank(const Suffix& s, double sign) const {
  if (!s.dense.empty()) boxes_->add_moments(s.dense.data(), sign, rank_hi_, rank_lo_);
  if (s.blocks.empty()) return;
  for (size_t part = 0; part < kBlock; part += kTerms) {  // the terms, then their compensation
    boxes_->add_many_box_terms(s.blocks.data() + part, kBlock, s.block_of_box.data(), sign,
                               rank_hi_, rank_lo_);
  }
}

void GhostSuffixes::kernel_moved(int number, const GaussianBoxSum::BumpTerms& bump, double coef,
                                 double sign) {
  if (!boxes_) return;
  for (auto it = suffixes_.begin(); it != suffixes_.end() && it->first < number; ++it) {
    add_terms(it->second, bump, sign * coef);
  }
}

void GhostSuffixes::add(int g) {
  if (boxes_) suffixes_.emplace(g, make_suffix());
}

void GhostSuffixes::add_to_suffix(int g, const GaussianBoxSum::BumpTerms& bump, double coef) {
  if (!boxes_) return;
  add_terms(at(g), bump, coef);
  boxes_->add_terms(bump, -coef, rank_hi_, rank_lo_);
}

void GhostSuffixes::start_from_all(int g) {
  if (!boxes_) return;
  Suffix& s = at(g);
  assert(s.dense.empty() && s.blocks.empty());
  s.dense.resize(boxes_->moments_size());
  boxes_->copy_moments(0, s.dense.data());
  boxes_->add_moments(s.dense.data(), -1.0, rank_hi_, rank_lo_);
}

void GhostSuffixes::remove(int g) {
  auto it = suffixes_.find(g);
  if (it == suffixes_.end()) return;
  add_to_rank(it->second, 1.0);
  spare_.push_back(std::move(it->second));
  suffixes_.erase(it);
}

GhostSuffixes::Builder::Builder(GhostSuffixes& out) : out_(out) {
  if (out_.boxes_) {
    hi_.assign(out_.boxes_->moments_size(), 0.0);
    lo_.assign(out_.boxes_->moments_size(), 0.0);
  }
}

void GhostSuffixes::Builder::kernel(const GaussianBoxSum::BumpTerms& bump, double coef) {
  if (!out_.boxes_) return;
  out_.boxes_->add_terms(bump, coef, hi_.data(), lo_.data());
  empty_ = false;
}

void GhostSuffixes::Builder::ghost(int g) {
  if (!out_.boxes_) return;
  Suffix s = out_.make_suffix();
  if (!empty_) s.dense = hi_;  // the newest ghosts, with no boxed kernel newer, have none
  out_.suffixes_.emplace(g, std::move(s));
}

}  // namespace hpo::tpe
