#include "samplers/tpe/kept_above_store.h"

#include <utility>

namespace hpo::tpe {

KeptAboveStore::Use::Use(Use&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      list_(other.list_),
      estimator_(std::move(other.estimator_)) {}

KeptAboveStore::Use& KeptAboveStore::Use::operator=(Use&& other) noexcept {
  if (this != &other) {
    Use old(std::move(*this));
    store_ = std::exchange(other.store_, nullptr);
    list_ = other.list_;
    estimator_ = std::move(other.estimator_);
  }
  return *this;
}

KeptAboveStore::Use::~Use() {
  if (store_ != nullptr && estimator_ != nullptr) store_->release(list_, estimator_.get());
}

void KeptAboveStore::release(uint64_t list, const KeptAboveEstimator* estimator) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = kept_.find(list);
  // A replaced estimator's users no longer count.
  if (it != kept_.end() && it->second.estimator.get() == estimator) --it->second.users;
}

bool KeptAboveStore::holds(uint64_t list) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = kept_.find(list);
  return it != kept_.end() && it->second.estimator != nullptr;
}

KeptAboveStore::Use KeptAboveStore::get(uint64_t list, const JointSplit& split,
                                        const std::vector<ParzenDimension>& dims,
                                        const ParzenEstimatorOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  Kept& kept = kept_[list];
  auto use = [&] {
    ++kept.users;
    Use u;
    u.store_ = this;
    u.list_ = list;
    u.estimator_ = kept.estimator;
    return u;
  };
  if (kept.estimator && kept.dims == dims && kept.above_id == split.above_id) return use();
  const bool follows = kept.estimator && kept.dims == dims && split.above_parent_id != 0 &&
                       kept.above_id == split.above_parent_id;
  if (!follows && !split.x_above) return {};
  if (!follows) {
    kept.estimator = std::make_shared<KeptAboveEstimator>(dims, options);
    kept.users = 0;
  } else if (kept.users > 0) {
    // A concurrent ask still scores with it: change a copy.
    kept.estimator = std::make_shared<KeptAboveEstimator>(*kept.estimator);
    kept.users = 0;
  }
  static const std::vector<int> kNone;
  const std::vector<int>& numbers = *split.above_numbers;
  const double total_weight = kept.log_weights.get(static_cast<int>(numbers.size()), log_weights_);
  const bool ok = follows ? kept.estimator->update(numbers, *split.above_joined,
                                                   *split.above_joined_rows, *split.above_left,
                                                   log_weights_, total_weight)
                          : kept.estimator->update(numbers, numbers, *split.x_above, kNone,
                                                   log_weights_, total_weight);
  if (!ok) {
    kept_.erase(list);
    return {};
  }
  kept.dims = dims;
  kept.above_id = split.above_id;
  return use();
}

}  // namespace hpo::tpe
