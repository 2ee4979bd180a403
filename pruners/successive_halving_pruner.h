// Asynchronous successive halving (Optuna's SuccessiveHalvingPruner).
//
// Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020
// (https://arxiv.org/abs/1810.05934).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/pruner.h"

namespace hpo {

struct SuccessiveHalvingPrunerOptions {
  // Steps before the first rung (r in the paper). Absent means "auto": the last step of the
  // first COMPLETE trial seen, divided by 100 (at least 1).
  std::optional<int64_t> min_resource;
  // Only the best 1/reduction_factor of a rung's trials go on to the next rung (eta).
  int reduction_factor = 4;
  // The first rung is at min_resource * reduction_factor^min_early_stopping_rate (s).
  int min_early_stopping_rate = 0;
  // A trial is pruned at a rung until more than this many trials have reached it.
  int bootstrap_count = 0;
};

// Rung k is reached at step min_resource * reduction_factor^(min_early_stopping_rate + k).
// On reaching it, a trial records its value at that step in its system attribute
// "completed_rung_k" (so other workers and processes see it), and is pruned unless the value is
// among the best 1/reduction_factor of all values recorded at rung k (at least the best one).
// A NaN value at a rung is pruned.
//
// Cost: only calls at a rung step read the study's trials; the rung values of finished
// trials are absorbed once into per-rung sorted arrays, and running trials are read afresh.
//
// Thread-safe.
class SuccessiveHalvingPruner final : public Pruner {
 public:
  // Throws std::invalid_argument if min_resource < 1, reduction_factor < 2,
  // min_early_stopping_rate < 0, bootstrap_count < 0, or bootstrap_count > 0 with an automatic
  // min_resource.
  explicit SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions options = {});

  bool prune(const StudyView& study, const FrozenTrial& trial) override;

  const SuccessiveHalvingPrunerOptions& options() const { return options_; }

 private:
  // Rung values recorded by trials: the finished trials' from the cache, plus the others' read
  // from `trials` now. REQUIRES: mutex_ held.
  struct RungCount {
    int64_t n = 0;       // values recorded at the rung
    int64_t better = 0;  // of which strictly better than the value tested
  };
  RungCount count_rung(const StudyView& study, const Trials& trials, int rung, double value,
                       bool maximize);
  void absorb(const StudyView& study, const Trials& trials);

  const SuccessiveHalvingPrunerOptions options_;

  std::mutex mutex_;
  std::optional<int64_t> min_resource_;  // fixed once known, as in Optuna
  int64_t study_id_ = -1;  // the study the cache below describes
  std::string study_name_;
  std::unordered_set<int64_t> absorbed_;  // finished trial ids
  std::vector<std::vector<double>> finished_rung_values_;  // per rung, ascending, no NaN
  std::vector<int64_t> finished_rung_nan_;  // per rung, NaN values (counted, never better)
};

// "completed_rung_<rung>", the system attribute a trial records on reaching a rung.
std::string completed_rung_key(int rung);

}  // namespace hpo
