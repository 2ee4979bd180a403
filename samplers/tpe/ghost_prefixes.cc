#include "samplers/tpe/ghost_prefixes.h"

#include <utility>

namespace hpo::tpe {

void GhostPrefixes::reset(const GaussianBoxSum* boxes, double* sum_hi, double* sum_lo) {
  boxes_ = boxes;
  sum_hi_ = sum_hi;
  sum_lo_ = sum_lo;
  for (auto& [g, p] : prefixes_) {
    if (!p.q.empty()) spare_.push_back(std::move(p.q));
  }
  prefixes_.clear();
  n_full_ = 0;
  const size_t size = boxes_ ? boxes_->moments_size() : 0;
  if (!spare_.empty() && spare_.front().size() != size) spare_.clear();
}

std::vector<double> GhostPrefixes::take_buffer() {
  if (spare_.empty()) return std::vector<double>(boxes_->moments_size());
  std::vector<double> out = std::move(spare_.back());
  spare_.pop_back();
  return out;
}

void GhostPrefixes::make_explicit(Prefix& p, std::vector<double> q) {
  if (p.kind == Kind::kFull) --n_full_;
  p.kind = Kind::kExplicit;
  boxes_->add_moments(q.data(), 1.0, sum_hi_, sum_lo_);
  p.q = std::move(q);
}

void GhostPrefixes::kernel_moved(int number, const GaussianBoxSum::BumpTerms& bump, double coef,
                                 double sign) {
  if (!boxes_ || prefixes_.empty()) return;
  // Older full ghosts: A just gained a kernel newer than them, which their prefix lacks.
  if (sign > 0) {
    for (auto it = prefixes_.begin(); it != prefixes_.end() && it->first < number; ++it) {
      if (it->second.kind != Kind::kFull) continue;
      std::vector<double> q = take_buffer();
      boxes_->copy_moments(0, q.data());
      boxes_->add_terms(bump, -coef, q.data());
      make_explicit(it->second, std::move(q));
    }
  }
  // Newer ghosts: their prefix gains or loses the kernel (a full one stays full with A).
  int changed = 0;
  for (auto it = prefixes_.upper_bound(number); it != prefixes_.end(); ++it) {
    Prefix& p = it->second;
    if (p.kind == Kind::kFull) continue;
    if (p.kind == Kind::kZero) {
      p.q = take_buffer();
      std::fill(p.q.begin(), p.q.end(), 0.0);
      p.kind = Kind::kExplicit;
    }
    boxes_->add_terms(bump, sign * coef, p.q.data());
    ++changed;
  }
  if (changed > 0) {
    boxes_->add_terms(bump, sign * changed * coef, sum_hi_, sum_lo_);
  }
}

void GhostPrefixes::add_zero(int g) {
  if (boxes_) prefixes_.emplace(g, Prefix{});
}

void GhostPrefixes::add_full(int g) {
  if (!boxes_) return;
  prefixes_.emplace(g, Prefix{Kind::kFull, {}});
  ++n_full_;
}

void GhostPrefixes::add(int g, std::vector<double> explicit_q) {
  if (!boxes_) return;
  Prefix& p = prefixes_.emplace(g, Prefix{}).first->second;
  make_explicit(p, std::move(explicit_q));
}

void GhostPrefixes::remove(int g) {
  auto it = prefixes_.find(g);
  if (it == prefixes_.end()) return;
  Prefix& p = it->second;
  if (p.kind == Kind::kFull) --n_full_;
  if (p.kind == Kind::kExplicit) {
    boxes_->add_moments(p.q.data(), -1.0, sum_hi_, sum_lo_);
    spare_.push_back(std::move(p.q));
  }
  prefixes_.erase(it);
}

GhostPrefixes::Builder::Builder(GhostPrefixes& out, int newest_boxed)
    : out_(out), newest_boxed_(newest_boxed) {
  if (out_.boxes_) {
    hi_.assign(out_.boxes_->moments_size(), 0.0);
    lo_.assign(out_.boxes_->moments_size(), 0.0);
  }
}

void GhostPrefixes::Builder::kernel(const GaussianBoxSum::BumpTerms& bump, double coef) {
  if (!out_.boxes_) return;
  out_.boxes_->add_terms(bump, coef, hi_.data(), lo_.data());
  empty_ = false;
}

void GhostPrefixes::Builder::ghost(int g) {
  if (!out_.boxes_) return;
  if (g > newest_boxed_) {
    out_.add_full(g);
  } else if (empty_) {
    out_.add_zero(g);
  } else {
    std::vector<double> q = out_.take_buffer();
    q = hi_;
    out_.add(g, std::move(q));
  }
}

}  // namespace hpo::tpe
