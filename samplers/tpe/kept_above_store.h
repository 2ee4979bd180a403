// The sampler's kept "above" estimators, one per param list, brought to each ask's split.
//
// Several workers may ask at once: an estimator being scored is never changed. An ask holds a
// Use while it scores; an ask that needs the estimator changed meanwhile changes a copy, which
// replaces it for later asks.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/default_log_weights.h"
#include "samplers/tpe/kept_above.h"
#include "samplers/tpe/observations.h"

namespace hpo::tpe {

// Thread-safe.
class KeptAboveStore {
 public:
  // The estimator an ask scores with; empty when the store could not serve the split.
  class Use {
   public:
    Use() = default;
    Use(Use&& other) noexcept;
    Use& operator=(Use&& other) noexcept;
    ~Use();
    explicit operator bool() const { return estimator_ != nullptr; }
    const KeptAboveEstimator& operator*() const { return *estimator_; }
    const KeptAboveEstimator* operator->() const { return estimator_.get(); }

   private:
    friend class KeptAboveStore;
    KeptAboveStore* store_ = nullptr;
    uint64_t list_ = 0;
    std::shared_ptr<const KeptAboveEstimator> estimator_;
  };

  // The estimator of the param list `list` (any id, such as a hash of its names) brought to
  // `split`'s above rows with TPE's default weights: by the rows that joined and left when it
  // holds the rows split.above_parent_id stands for, else built from split.x_above. Empty when
  // neither applies (x_above left out: the caller asks for the split with it) or the estimator
  // cannot hold the rows (KeptAboveEstimator::update; the caller builds a ParzenEstimator).
  Use get(uint64_t list, const JointSplit& split, const std::vector<ParzenDimension>& dims,
          const ParzenEstimatorOptions& options);

  // Whether it holds an estimator for `list`: the next split of that list may leave out the
  // above matrix.
  bool holds(uint64_t list);

 private:
  struct Kept {
    std::vector<ParzenDimension> dims;
    uint64_t above_id = 0;
    std::shared_ptr<KeptAboveEstimator> estimator;
    int users = 0;  // Uses of `estimator` not yet released
    DefaultLogWeights log_weights;
  };

  void release(uint64_t list, const KeptAboveEstimator* estimator);

  std::mutex mutex_;
  std::unordered_map<uint64_t, Kept> kept_;
  Eigen::ArrayXd log_weights_;  // scratch
};

}  // namespace hpo::tpe
