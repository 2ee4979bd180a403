// A running trial, as the objective sees it: define-by-run suggestions, reports, pruning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "core/pruner.h"

namespace hpo {

class Study;

struct FloatOptions {
  std::optional<double> step;
  bool log = false;
};

struct IntOptions {
  int64_t step = 1;
  bool log = false;
};

// Created by Study::ask(). Used by one thread at a time; the Study must outlive it.
//
// Every suggest_* returns the same value when asked twice for one name within the trial, and
// throws std::invalid_argument when asked with an incompatible distribution. A value comes, in
// order of precedence, from: this trial's earlier suggestion; the fixed params of an enqueued
// trial; the sampler's relative sample; the sampler's independent sample.
class Trial {
 public:
  Trial(Study& study, int64_t trial_id);

  double suggest_float(std::string_view name, double low, double high, FloatOptions options = {});
  int64_t suggest_int(std::string_view name, int64_t low, int64_t high, IntOptions options = {});
  ParamValue suggest_categorical(std::string_view name,
                                 const std::vector<CategoricalChoice>& choices);
  // Typed convenience: suggest_categorical<std::string>("opt", {"adam", "sgd"}).
  template <class T>
  T suggest_categorical(std::string_view name, const std::vector<T>& choices);

  // Records an intermediate value. Throws std::invalid_argument for a negative step; a second
  // report for the same step is ignored (Optuna warns and keeps the first).
  void report(double value, int64_t step);
  // Asks the study's pruner. Throws std::logic_error in multi-objective studies, as Optuna.
  bool should_prune();

  void set_user_attr(std::string_view key, const nlohmann::json& value);
  void set_system_attr(std::string_view key, const nlohmann::json& value);

  int64_t number() const { return snapshot_.number; }
  int64_t trial_id() const { return snapshot_.trial_id; }
  ExternalParams params() const { return snapshot_.external_params(); }
  const Distributions& distributions() const { return snapshot_.distributions; }
  const nlohmann::json& user_attrs() const { return snapshot_.user_attrs; }
  const nlohmann::json& system_attrs() const { return snapshot_.system_attrs; }
  std::optional<Clock::time_point> datetime_start() const { return snapshot_.datetime_start; }
  // This trial as storage holds it, kept in step with this trial's own writes.
  const FrozenTrial& snapshot() const { return snapshot_; }
  Study& study() const { return *study_; }

 private:
  friend class Study;  // Study::ask(fixed_distributions) suggests through the same path
  // The one path every suggest_* takes; returns the internal value.
  double suggest(std::string_view name, const Distribution& distribution);
  void init_relative_params();

  Study* study_;
  FrozenTrial snapshot_;
  ExternalParams fixed_params_;  // from an enqueued trial's system_attrs["fixed_params"]
  SearchSpace relative_space_;
  InternalParams relative_params_;
  TrialFilter sampler_filter_;  // the pruner's view restriction for the sampler (Hyperband)
};

template <class T>
T Trial::suggest_categorical(std::string_view name, const std::vector<T>& choices) {
  std::vector<CategoricalChoice> as_choices;
  as_choices.reserve(choices.size());
  for (const T& c : choices) {
    if constexpr (std::is_same_v<T, bool>) {
      as_choices.emplace_back(c);
    } else if constexpr (std::is_integral_v<T>) {
      as_choices.emplace_back(static_cast<int64_t>(c));
    } else if constexpr (std::is_floating_point_v<T>) {
      as_choices.emplace_back(static_cast<double>(c));
    } else {
      as_choices.emplace_back(std::string(c));
    }
  }
  ParamValue v = suggest_categorical(name, as_choices);
  if constexpr (std::is_same_v<T, bool>) {
    return std::get<bool>(v);
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(std::get<int64_t>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::get<double>(v));
  } else {
    return T(std::get<std::string>(v));
  }
}

}  // namespace hpo
