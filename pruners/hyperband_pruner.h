// Hyperband over asynchronous successive halving (Optuna's HyperbandPruner).
//
// Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization",
// JMLR 18(185), 2018 (http://www.jmlr.org/papers/volume18/16-558/16-558.pdf).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/pruner.h"

namespace hpo {

struct HyperbandPrunerOptions {
  // Steps before the first rung of the most aggressive bracket.
  int64_t min_resource = 1;
  // The steps a trial runs at most. Absent means "auto": the last step + 1 of the first
  // COMPLETE trial seen (until then nothing is pruned).
  std::optional<int64_t> max_resource;
  int reduction_factor = 3;
  int bootstrap_count = 0;  // as SuccessiveHalvingPrunerOptions::bootstrap_count
};

// n = floor(log_eta(max_resource / min_resource)) + 1 brackets; bracket s runs successive
// halving with min_early_stopping_rate s. A trial's bracket is a hash (CRC-32) of
// "<study name>_<trial number>", spread over the brackets in proportion to the number of
// trials the paper gives each bracket, so every worker and process agrees on it. Within a
// bracket, successive halving and the sampler (through sampler_trial_filter) see only the
// trials of the same bracket. Before the brackets exist every trial is in bracket 0.
//
// Thread-safe.
class HyperbandPruner final : public Pruner {
 public:
  // Throws std::invalid_argument if min_resource < 1, max_resource < min_resource,
  // reduction_factor < 2, bootstrap_count < 0, or bootstrap_count > 0 with an automatic
  // max_resource.
  explicit HyperbandPruner(HyperbandPrunerOptions options = {});
  ~HyperbandPruner() override;

  bool prune(const StudyView& study, const FrozenTrial& trial) override;
  // Keeps the trials in `trial`'s bracket. The filter holds what it needs, so it may outlive
  // this pruner.
  TrialFilter sampler_trial_filter(const StudyView& study, const FrozenTrial& trial) override;

  const HyperbandPrunerOptions& options() const { return options_; }
  // The number of brackets, once known.
  std::optional<int> n_brackets() const;
  // The bracket of trial `number` in study `study_name` (0 until the brackets exist).
  int bracket_id(std::string_view study_name, int64_t number) const;

 private:
  struct Brackets;  // shared with the filters handed out
  const HyperbandPrunerOptions options_;
  std::shared_ptr<Brackets> brackets_;
};

// CRC-32 (the zlib and Python binascii.crc32 polynomial) of `bytes`.
uint32_t crc32(std::string_view bytes);

}  // namespace hpo
