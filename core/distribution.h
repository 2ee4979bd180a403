// Parameter distributions and the values they produce.
//
// Every parameter has an internal double representation (what samplers and storage see) and an
// external value (what the objective sees). Float and int values are themselves; a categorical
// value is stored as the index of its choice. The JSON form is exactly Optuna's
// `distribution_json`, so studies are portable between hpo and Optuna.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace hpo {

// An external parameter value. std::monostate is Python's None (a legal categorical choice).
using ParamValue = std::variant<std::monostate, bool, int64_t, double, std::string>;
using CategoricalChoice = ParamValue;

struct FloatDistribution {
  double low = 0.0;
  double high = 0.0;
  std::optional<double> step;  // values are low + k*step when set
  bool log = false;
  bool operator==(const FloatDistribution&) const = default;
};

struct IntDistribution {
  int64_t low = 0;
  int64_t high = 0;
  int64_t step = 1;
  bool log = false;
  bool operator==(const IntDistribution&) const = default;
};

struct CategoricalDistribution {
  std::vector<CategoricalChoice> choices;
  bool operator==(const CategoricalDistribution&) const = default;
};

using Distribution = std::variant<FloatDistribution, IntDistribution, CategoricalDistribution>;

// Builders that validate and normalize as Optuna does: with a step, `high` is lowered to the
// last point of the grid low + k*step. Throw std::invalid_argument naming the problem
// (low > high, log with low <= 0, log together with step, step <= 0, non-finite bounds,
// empty or duplicate choices).
FloatDistribution make_float_distribution(double low, double high, std::optional<double> step = {},
                                          bool log = false);
IntDistribution make_int_distribution(int64_t low, int64_t high, int64_t step = 1, bool log = false);
CategoricalDistribution make_categorical_distribution(std::vector<CategoricalChoice> choices);

// Throws std::invalid_argument if `d` breaks a rule that the builders enforce.
void validate(const Distribution& d);

// External value -> internal double. Throws std::invalid_argument if the value has the wrong
// type or (for categoricals) is not one of the choices.
double to_internal(const Distribution& d, const ParamValue& external);
// Internal double -> external value (an int64 for IntDistribution, a double for floats,
// the choice for categoricals). Throws std::invalid_argument for a categorical index out of range.
ParamValue to_external(const Distribution& d, double internal);
// True if the internal value is a value `d` can produce (in range, on the step grid).
bool contains(const Distribution& d, double internal);
// True if `d` can produce only one value.
bool is_single(const Distribution& d);

// Throws std::invalid_argument unless `now` may replace `before` for the same parameter name:
// the same kind of distribution, and for categoricals the same choices (Optuna's rule).
void check_compatible(const Distribution& before, const Distribution& now, const std::string& name);

// Optuna's distribution JSON: {"name": "FloatDistribution", "attributes": {...}}.
nlohmann::json distribution_to_json(const Distribution& d);
// Reads Optuna's JSON, including the 2.x names (UniformDistribution, LogUniformDistribution,
// DiscreteUniformDistribution, IntUniformDistribution, IntLogUniformDistribution).
// Throws std::invalid_argument on unknown names or bad attributes.
Distribution distribution_from_json(const nlohmann::json& j);
// The exact text Optuna writes for distribution_to_json(d) (Python json.dumps: attributes in
// Optuna's order, ", " and ": " separators), for storages that share Optuna's schema.
std::string distribution_to_json_string(const Distribution& d);

// A one-line human form of a value: 0.1, 3, "adam", true, None.
std::string to_string(const ParamValue& v);
nlohmann::json to_json(const ParamValue& v);
// Throws std::invalid_argument for arrays and objects.
ParamValue param_value_from_json(const nlohmann::json& j);

// Parameter name -> internal value, and name -> distribution, as a trial holds them.
using InternalParams = std::map<std::string, double, std::less<>>;
using Distributions = std::map<std::string, Distribution, std::less<>>;
using ExternalParams = std::map<std::string, ParamValue, std::less<>>;

// A relative search space: the parameters a sampler samples jointly.
using SearchSpace = Distributions;

}  // namespace hpo
