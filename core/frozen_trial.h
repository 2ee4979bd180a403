// The record of one trial, as storage holds it: a plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distribution.h"

namespace hpo {

enum class TrialState { kRunning, kComplete, kPruned, kFail, kWaiting };
enum class StudyDirection { kMinimize, kMaximize };

// Optuna's enum names: "RUNNING", "COMPLETE", ...; "MINIMIZE", "MAXIMIZE".
std::string_view to_string(TrialState s);
std::string_view to_string(StudyDirection d);
// Throw std::invalid_argument for unknown names; case-insensitive.
TrialState trial_state_from_string(std::string_view s);
StudyDirection study_direction_from_string(std::string_view s);
inline bool is_finished(TrialState s) {
  return s == TrialState::kComplete || s == TrialState::kPruned || s == TrialState::kFail;
}

// A set of trial states, for filtering reads.
class StateMask {
 public:
  constexpr StateMask() = default;
  constexpr StateMask(std::initializer_list<TrialState> states) {
    for (TrialState s : states) bits_ |= bit(s);
  }
  static constexpr StateMask all() { return StateMask(0x1f); }
  constexpr bool has(TrialState s) const { return (bits_ & bit(s)) != 0; }
  constexpr bool is_all() const { return bits_ == 0x1f; }
  constexpr bool operator==(const StateMask&) const = default;

 private:
  constexpr explicit StateMask(unsigned bits) : bits_(bits) {}
  static constexpr unsigned bit(TrialState s) { return 1u << static_cast<unsigned>(s); }
  unsigned bits_ = 0;
};

using Clock = std::chrono::system_clock;

struct FrozenTrial {
  int64_t trial_id = -1;  // unique within the storage
  int64_t number = -1;    // 0, 1, 2, ... within the study
  TrialState state = TrialState::kRunning;
  std::vector<double> values;  // empty unless COMPLETE (one per direction)
  InternalParams params;       // internal representation
  Distributions distributions;
  std::map<int64_t, double> intermediate_values;  // step -> value
  nlohmann::json user_attrs = nlohmann::json::object();
  nlohmann::json system_attrs = nlohmann::json::object();
  std::optional<Clock::time_point> datetime_start;
  std::optional<Clock::time_point> datetime_complete;

  // The single objective value. Throws std::logic_error if the trial has none or several.
  double value() const;
  // The params as the objective saw them.
  ExternalParams external_params() const;
  // The last reported step, if any.
  std::optional<int64_t> last_step() const;
};

// Finished trials never change, so storages hand out shared snapshots instead of copies.
using TrialPtr = std::shared_ptr<const FrozenTrial>;
using Trials = std::vector<TrialPtr>;

// What get_all_studies() reports of each study.
struct StudySummary {
  int64_t study_id = -1;
  std::string study_name;
  std::vector<StudyDirection> directions;
  nlohmann::json user_attrs = nlohmann::json::object();
  nlohmann::json system_attrs = nlohmann::json::object();
  int64_t n_trials = 0;
  std::optional<Clock::time_point> datetime_start;  // of the first trial
};

// True if `a` is at least as good as `b` in every objective and better in one.
bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<StudyDirection>& directions);

}  // namespace hpo
