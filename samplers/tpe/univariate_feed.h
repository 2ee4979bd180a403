// UnivariateFeed: what univariate single-objective TPE reads of a study, kept across asks.
//
// Finished trials never change, so the feed reads each once: it asks the study only for trials
// numbered from the first one not yet finished (Study::get_trials_from), keeps the finished
// trials in rank order (the below/above split is then a prefix), and per parameter keeps the
// "above" estimator (AboveDensity), telling it which trials joined or left since the last ask.
// An ask at 10,000 trials then costs what changed, not 10,000 trials per parameter.
//
// The semantics are StudyCache::collect + split_single_objective + ParzenEstimator's (tested
// against them): COMPLETE and PRUNED trials ranked by (step key, loss, number), RUNNING ones
// (constant liar) after every finished one, trials lacking the param left out after the split.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "core/distribution.h"
#include "core/study_view.h"
#include "samplers/tpe/above_density.h"
#include "samplers/tpe/parzen_estimator.h"

namespace hpo::tpe {

class UnivariateFeed {
 public:
  UnivariateFeed();
  ~UnivariateFeed();

  // One parameter's view of the study for one ask. Holds the feed's lock: the above estimator
  // stays as it is while the caller scores candidates.
  struct View {
    std::unique_lock<std::mutex> lock;
    int n_finished = 0;          // COMPLETE and PRUNED trials
    int n_below = 0;             // the split's size (before trials lacking the param are dropped)
    Eigen::MatrixXd below;       // the below trials' values (estimator space), by trial number
    const AboveDensity* above = nullptr;
    // The caller's estimator over `below`, kept across asks while the below values stay (often:
    // most new trials are not among the best); null when they changed, for the caller to build.
    std::shared_ptr<const ParzenEstimator>* below_estimator = nullptr;
  };

  // `gamma` gives the number of below trials for n finished ones; the view is empty (above null)
  // when it asks for more than there are finished trials. The trial `exclude_trial_id` (the one
  // being sampled) is left out. `dimension` and `options` describe the param's estimator space
  // (REQUIRES: options.consider_prior and consider_magic_clip).
  View view(const StudyView& study, int64_t exclude_trial_id, const std::string& name,
            const Distribution& distribution, const ParzenDimension& dimension,
            const ParzenEstimatorOptions& options, bool constant_liar,
            const std::function<int(int)>& gamma);

 private:
  struct PerStudy;
  struct PerParam;
  void refresh(const StudyView& study, PerStudy& ps);
  void sync(PerStudy& ps, PerParam& pp, int64_t exclude_trial_id, int n_below);

  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<PerStudy>> studies_;
};

}  // namespace hpo::tpe
