// Trial states, study directions and the FrozenTrial helpers.
#include "core/frozen_trial.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hpo {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view to_string(TrialState s) {
  switch (s) {
    case TrialState::kRunning:
      return "RUNNING";
    case TrialState::kComplete:
      return "COMPLETE";
    case TrialState::kPruned:
      return "PRUNED";
    case TrialState::kFail:
      return "FAIL";
    case TrialState::kWaiting:
      return "WAITING";
  }
  return "UNKNOWN";
}

std::string_view to_string(StudyDirection d) {
  return d == StudyDirection::kMinimize ? "MINIMIZE" : "MAXIMIZE";
}

TrialState trial_state_from_string(std::string_view s) {
  std::string u = upper(s);
  for (TrialState t : {TrialState::kRunning, TrialState::kComplete, TrialState::kPruned,
                       TrialState::kFail, TrialState::kWaiting}) {
    if (u == to_string(t)) return t;
  }
  throw std::invalid_argument("unknown trial state '" + std::string(s) +
                              "'; expected RUNNING, COMPLETE, PRUNED, FAIL or WAITING");
}

StudyDirection study_direction_from_string(std::string_view s) {
  std::string u = upper(s);
  if (u == "MINIMIZE") return StudyDirection::kMinimize;
  if (u == "MAXIMIZE") return StudyDirection::kMaximize;
  throw std::invalid_argument("unknown study direction '" + std::string(s) +
                              "'; expected minimize or maximize");
}

double FrozenTrial::value() const {
  if (values.size() != 1) {
    throw std::logic_error("trial " + std::to_string(number) + " has " +
                           std::to_string(values.size()) +
                           " values; value() needs exactly one (use values for several)");
  }
  return values[0];
}

ExternalParams FrozenTrial::external_params() const {
  ExternalParams out;
  for (const auto& [name, internal] : params) {
    auto it = distributions.find(name);
    if (it == distributions.end()) {
      throw std::logic_error("trial " + std::to_string(number) + ": param '" + name +
                             "' has no distribution");
    }
    out.emplace(name, to_external(it->second, internal));
  }
  return out;
}

std::optional<int64_t> FrozenTrial::last_step() const {
  if (intermediate_values.empty()) return std::nullopt;
  return intermediate_values.rbegin()->first;
}

bool dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<StudyDirection>& directions) {
  if (a.size() != b.size() || a.size() != directions.size()) {
    throw std::invalid_argument("dominates: got " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " values for " +
                                std::to_string(directions.size()) + " directions");
  }
  // As Optuna: a missing (NaN) value counts as the worst.
  auto normalized = [&](double v, StudyDirection d) -> double {
    if (std::isnan(v)) return INFINITY;
    return d == StudyDirection::kMaximize ? -v : v;
  };
  bool better_somewhere = false;
  for (size_t i = 0; i < a.size(); ++i) {
    double x = normalized(a[i], directions[i]);
    double y = normalized(b[i], directions[i]);
    if (x > y) return false;
    if (x < y) better_somewhere = true;
  }
  return better_somewhere;
}

}  // namespace hpo
