#include "core/factory_pruners.h"

#include <optional>
#include <stdexcept>
#include <string>

#include "core/factory.h"
#include "pruners/hyperband_pruner.h"
#include "pruners/median_pruner.h"
#include "pruners/patient_pruner.h"
#include "pruners/percentile_pruner.h"
#include "pruners/successive_halving_pruner.h"
#include "pruners/threshold_pruner.h"

namespace hpo {
namespace {

PercentilePrunerOptions read_percentile_options(OptionReader& r) {
  PercentilePrunerOptions o;
  o.n_startup_trials = r.get<int>("n_startup_trials", o.n_startup_trials);
  o.n_warmup_steps = r.get<int>("n_warmup_steps", o.n_warmup_steps);
  o.interval_steps = r.get<int>("interval_steps", o.interval_steps);
  o.n_min_trials = r.get<int>("n_min_trials", o.n_min_trials);
  return o;
}

// An integer option that may also be "auto" (absent or null: `fallback`, nullopt for auto).
std::optional<int64_t> read_int_or_auto(OptionReader& r, std::string_view key,
                                        std::optional<int64_t> fallback) {
  const nlohmann::json& v = r.get_json(key);
  if (v.is_null()) return fallback;
  if (v.is_string() && v.get<std::string>() == "auto") return std::nullopt;
  if (v.is_number_integer()) return v.get<int64_t>();
  throw std::invalid_argument(r.what() + ": option '" + std::string(key) +
                              "' must be an integer or \"auto\", got " + v.dump());
}

template <class T>
T require(OptionReader& r, std::string_view key) {
  std::optional<T> v = r.get_optional<T>(key);
  if (!v) throw std::invalid_argument(r.what() + ": option '" + std::string(key) + "' is required");
  return *v;
}

}  // namespace

std::shared_ptr<Pruner> read_median_pruner(OptionReader& r) {
  return std::make_shared<MedianPruner>(read_percentile_options(r));
}

std::shared_ptr<Pruner> read_percentile_pruner(OptionReader& r) {
  const double percentile = require<double>(r, "percentile");
  return std::make_shared<PercentilePruner>(percentile, read_percentile_options(r));
}

std::shared_ptr<Pruner> read_successive_halving_pruner(OptionReader& r) {
  SuccessiveHalvingPrunerOptions o;
  o.min_resource = read_int_or_auto(r, "min_resource", std::nullopt);
  o.reduction_factor = r.get<int>("reduction_factor", o.reduction_factor);
  o.min_early_stopping_rate = r.get<int>("min_early_stopping_rate", o.min_early_stopping_rate);
  o.bootstrap_count = r.get<int>("bootstrap_count", o.bootstrap_count);
  return std::make_shared<SuccessiveHalvingPruner>(o);
}

std::shared_ptr<Pruner> read_hyperband_pruner(OptionReader& r) {
  HyperbandPrunerOptions o;
  o.min_resource = r.get<int64_t>("min_resource", o.min_resource);
  o.max_resource = read_int_or_auto(r, "max_resource", std::nullopt);
  o.reduction_factor = r.get<int>("reduction_factor", o.reduction_factor);
  o.bootstrap_count = r.get<int>("bootstrap_count", o.bootstrap_count);
  return std::make_shared<HyperbandPruner>(o);
}

std::shared_ptr<Pruner> read_threshold_pruner(OptionReader& r) {
  ThresholdPrunerOptions o;
  o.lower = r.get_optional<double>("lower");
  o.upper = r.get_optional<double>("upper");
  o.n_warmup_steps = r.get<int>("n_warmup_steps", o.n_warmup_steps);
  o.interval_steps = r.get<int>("interval_steps", o.interval_steps);
  if (!o.lower && !o.upper)
    throw std::invalid_argument(r.what() + ": option 'lower' or 'upper' is required");
  return std::make_shared<ThresholdPruner>(o);
}

std::shared_ptr<Pruner> read_patient_pruner(OptionReader& r) {
  PatientPrunerOptions o;
  o.patience = require<int>(r, "patience");
  o.min_delta = r.get<double>("min_delta", o.min_delta);
  const nlohmann::json& spec = r.get_json("wrapped_pruner");
  std::shared_ptr<Pruner> wrapped;
  if (spec.is_string()) {
    wrapped = make_pruner(spec.get<std::string>());
  } else if (spec.is_object() && spec.contains("name") && spec["name"].is_string()) {
    for (const auto& [key, value] : spec.items())
      if (key != "name" && key != "options")
        throw std::invalid_argument(r.what() + ": option 'wrapped_pruner' has unknown key '" +
                                    key + "' (expected 'name' and 'options')");
    wrapped = make_pruner(spec["name"].get<std::string>(),
                          spec.value("options", nlohmann::json::object()));
  } else if (!spec.is_null()) {
    throw std::invalid_argument(r.what() +
                                ": option 'wrapped_pruner' must be null, a pruner name or "
                                "{\"name\": ..., \"options\": {...}}, got " + spec.dump());
  }
  return std::make_shared<PatientPruner>(std::move(wrapped), o);
}

}  // namespace hpo
