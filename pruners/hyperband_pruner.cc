#include "pruners/hyperband_pruner.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "pruners/successive_halving_pruner.h"

namespace hpo {

namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

// The study as one bracket's successive halving sees it: only that bracket's trials.
class BracketView final : public StudyView {
 public:
  BracketView(const StudyView& study, const HyperbandPruner& pruner, int bracket)
      : study_(study), pruner_(pruner), bracket_(bracket) {}

  int64_t study_id() const override { return study_.study_id(); }
  const std::string& study_name() const override { return study_.study_name(); }
  const std::vector<StudyDirection>& directions() const override { return study_.directions(); }
  Trials get_trials(StateMask states) const override {
    Trials all = study_.get_trials(states);
    Trials mine;
    mine.reserve(all.size());
    for (TrialPtr& t : all)
      if (pruner_.bracket_id(study_.study_name(), t->number) == bracket_) mine.push_back(std::move(t));
    return mine;
  }
  bool filtered() const override { return true; }
  void set_trial_system_attr(int64_t trial_id, std::string_view key,
                             const nlohmann::json& value) const override {
    study_.set_trial_system_attr(trial_id, key, value);
  }
  void stop() const override { study_.stop(); }

 private:
  const StudyView& study_;
  const HyperbandPruner& pruner_;
  const int bracket_;
};

}  // namespace

uint32_t crc32(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : bytes) c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

struct HyperbandPruner::Brackets {
  mutable std::mutex mutex;
  int n_brackets = 0;  // 0 until initialized
  std::vector<int64_t> budgets;  // trials allotted per bracket, in proportion
  int64_t total_budget = 0;
  std::vector<std::unique_ptr<SuccessiveHalvingPruner>> pruners;
  // Bracket ids by trial number for one study name (hashing costs more than a lookup).
  std::string cached_name;
  std::vector<int8_t> by_number;  // -1: not computed yet

  // REQUIRES: mutex held.
  int bracket_of(std::string_view study_name, int64_t number) {
    if (n_brackets == 0) return 0;
    if (study_name != cached_name) {
      cached_name = std::string(study_name);
      by_number.clear();
    }
    const auto index = static_cast<size_t>(number);
    if (index < by_number.size() && by_number[index] >= 0) return by_number[index];
    const std::string key = cached_name + "_" + std::to_string(number);
    int64_t n = static_cast<int64_t>(crc32(key) % static_cast<uint64_t>(total_budget));
    int bracket = 0;
    for (; bracket < n_brackets - 1; ++bracket) {
      n -= budgets[bracket];
      if (n < 0) break;
    }
    if (number >= 0) {
      if (by_number.size() <= index) by_number.resize(index + 1, -1);
      by_number[index] = static_cast<int8_t>(bracket);
    }
    return bracket;
  }
};

HyperbandPruner::HyperbandPruner(HyperbandPrunerOptions options)
    : options_(options), brackets_(std::make_shared<Brackets>()) {
  if (options.min_resource < 1)
    throw std::invalid_argument("min_resource must be >= 1, got " +
                                std::to_string(options.min_resource));
  if (options.max_resource && *options.max_resource < options.min_resource)
    throw std::invalid_argument("max_resource must be >= min_resource (" +
                                std::to_string(options.min_resource) + ") or 'auto', got " +
                                std::to_string(*options.max_resource));
  if (options.reduction_factor < 2)
    throw std::invalid_argument("reduction_factor must be >= 2, got " +
                                std::to_string(options.reduction_factor));
  if (options.bootstrap_count < 0)
    throw std::invalid_argument("bootstrap_count must be >= 0, got " +
                                std::to_string(options.bootstrap_count));
  if (options.bootstrap_count > 0 && !options.max_resource)
    throw std::invalid_argument(
        "bootstrap_count > 0 needs an explicit max_resource (not 'auto'), got bootstrap_count " +
        std::to_string(options.bootstrap_count));
}

HyperbandPruner::~HyperbandPruner() = default;

std::optional<int> HyperbandPruner::n_brackets() const {
  std::lock_guard<std::mutex> lock(brackets_->mutex);
  if (brackets_->n_brackets == 0) return std::nullopt;
  return brackets_->n_brackets;
}

int HyperbandPruner::bracket_id(std::string_view study_name, int64_t number) const {
  std::lock_guard<std::mutex> lock(brackets_->mutex);
  return brackets_->bracket_of(study_name, number);
}

bool HyperbandPruner::prune(const StudyView& study, const FrozenTrial& trial) {
  SuccessiveHalvingPruner* pruner = nullptr;
  int bracket = 0;
  {
    std::lock_guard<std::mutex> lock(brackets_->mutex);
    Brackets& b = *brackets_;
    if (b.n_brackets == 0) {
      std::optional<int64_t> max_resource = options_.max_resource;
      if (!max_resource) {
        for (const TrialPtr& t : study.get_trials(StateMask{TrialState::kComplete}))
          if (std::optional<int64_t> last = t->last_step())
            max_resource = std::max(max_resource.value_or(*last + 1), *last + 1);
        if (!max_resource) return false;
      }
      // Optuna's floor(math.log(max / min, eta)) + 1, in the same floating-point steps.
      const double ratio = static_cast<double>(*max_resource) /
                           static_cast<double>(options_.min_resource);
      const int n = static_cast<int>(
          std::floor(std::log(ratio) / std::log(static_cast<double>(options_.reduction_factor))) + 1);
      // An automatic max_resource below min_resource leaves no bracket: nothing is pruned.
      if (n < 1) return false;
      for (int id = 0; id < n; ++id) {
        // The paper's n_i = ceil(B / R * eta^s / (s + 1)) up to the common factor.
        const int s = n - 1 - id;
        int64_t eta_s = 1;
        for (int i = 0; i < s; ++i) eta_s *= options_.reduction_factor;
        const auto budget = static_cast<int64_t>(
            std::ceil(static_cast<double>(n * eta_s) / static_cast<double>(s + 1)));
        b.budgets.push_back(budget);
        b.total_budget += budget;
        SuccessiveHalvingPrunerOptions sh;
        sh.min_resource = options_.min_resource;
        sh.reduction_factor = options_.reduction_factor;
        sh.min_early_stopping_rate = id;
        sh.bootstrap_count = options_.bootstrap_count;
        b.pruners.push_back(std::make_unique<SuccessiveHalvingPruner>(sh));
      }
      b.n_brackets = n;
    }
    bracket = b.bracket_of(study.study_name(), trial.number);
    pruner = b.pruners[bracket].get();
  }
  BracketView view(study, *this, bracket);
  return pruner->prune(view, trial);
}

TrialFilter HyperbandPruner::sampler_trial_filter(const StudyView& study,
                                                  const FrozenTrial& trial) {
  // Evaluated lazily, as Optuna does, so that brackets created after the trial started apply.
  return [brackets = brackets_, name = study.study_name(), number = trial.number](
             const FrozenTrial& other) {
    std::lock_guard<std::mutex> lock(brackets->mutex);
    return brackets->bracket_of(name, other.number) == brackets->bracket_of(name, number);
  };
}

}  // namespace hpo
