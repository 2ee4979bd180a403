// Distributions: validation, internal/external conversion and Optuna's JSON form.
#include "core/distribution.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace hpo {
namespace {

// Python's repr of a float: shortest round trip, and "1.0" rather than "1".
std::string float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

[[noreturn]] void invalid(const std::string& message) { throw std::invalid_argument(message); }

void check_finite(double low, double high) {
  if (!std::isfinite(low) || !std::isfinite(high)) {
    invalid("The `low` and `high` values must be finite (low=" + float_repr(low) +
            ", high=" + float_repr(high) + ").");
  }
}

// The number of whole steps in [low, high], tolerant of binary rounding (0.3 - 0.2 is
// 0.09999999999999998, yet one step of 0.1): Optuna computes this in decimal.
double whole_steps(double low, double high, double step, bool* exact) {
  double k = (high - low) / step;
  double r = std::round(k);
  if (std::fabs(k - r) <= 1e-9 * std::max(1.0, std::fabs(k))) {
    *exact = true;
    return r;
  }
  *exact = false;
  return std::floor(k);
}

// low + n*step, with the binary noise (0.5000000000000001) trimmed as Optuna's decimal does.
double grid_point(double low, double step, double n) {
  double v = low + n * step;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.15g", v);
  return std::strtod(buf, nullptr);
}

bool choice_equal(const CategoricalChoice& a, const CategoricalChoice& b) {
  if (a.index() != b.index()) return false;
  if (const double* da = std::get_if<double>(&a)) {
    double db = std::get<double>(b);
    return *da == db || (std::isnan(*da) && std::isnan(db));
  }
  return a == b;
}

// Python compares 1 == 1.0; used only when no choice of the same type matches.
bool choice_numeric_equal(const CategoricalChoice& a, const CategoricalChoice& b) {
  auto as_number = [](const CategoricalChoice& c, double* out) {
    if (const int64_t* i = std::get_if<int64_t>(&c)) {
      *out = static_cast<double>(*i);
      return true;
    }
    if (const double* d = std::get_if<double>(&c)) {
      *out = *d;
      return true;
    }
    return false;
  };
  double x = 0, y = 0;
  return as_number(a, &x) && as_number(b, &y) && x == y;
}

std::string choices_repr(const std::vector<CategoricalChoice>& choices) {
  std::string s = "(";
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i) s += ", ";
    s += to_string(choices[i]);
  }
  return s + ")";
}

double number_of(const nlohmann::json& j, const char* key, const char* kind) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) {
    invalid(std::string(kind) + ": attribute '" + key + "' must be a number, got " +
            (it == j.end() ? std::string("nothing") : it->dump()));
  }
  return it->get<double>();
}

int64_t integer_of(const nlohmann::json& j, const char* key, const char* kind) {
  auto it = j.find(key);
  if (it != j.end() && it->is_number_unsigned()) {
    // Above INT64_MAX, get<int64_t> would wrap to a negative bound.
    if (it->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) return it->get<int64_t>();
  } else if (it != j.end() && it->is_number_integer()) {
    return it->get<int64_t>();
  } else if (it != j.end() && it->is_number_float()) {
    // Casting a double outside int64's range is undefined; beyond 2^53 a double no longer
    // holds every integer, so such a bound is no integer a study could have stored.
    double d = it->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::abs(d) <= 9007199254740992.0)
      return static_cast<int64_t>(d);
  }
  invalid(std::string(kind) + ": attribute '" + key + "' must be an integer, got " +
          (it == j.end() ? std::string("nothing") : it->dump()));
}

bool bool_of(const nlohmann::json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) invalid(std::string("attribute '") + key + "' must be true or false");
  return it->get<bool>();
}

std::optional<double> optional_number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) invalid(std::string("attribute '") + key + "' must be a number or null");
  return it->get<double>();
}

CategoricalDistribution categorical_from_json_choices(const nlohmann::json& choices) {
  if (!choices.is_array()) invalid("CategoricalDistribution: 'choices' must be an array");
  CategoricalDistribution d;
  for (const auto& c : choices) d.choices.push_back(param_value_from_json(c));
  // Optuna accepts repeated choices in stored studies, so reading is lenient about them.
  if (d.choices.empty()) invalid("The `choices` must contain one or more elements.");
  return d;
}

}  // namespace

FloatDistribution make_float_distribution(double low, double high, std::optional<double> step,
                                          bool log) {
  if (log && step) invalid("The parameter `step` is not supported when `log` is true.");
  check_finite(low, high);
  if (low > high) {
    invalid("The `low` value must be smaller than or equal to the `high` value (low=" +
            float_repr(low) + ", high=" + float_repr(high) + ").");
  }
  if (log && low <= 0.0) {
    invalid("The `low` value must be larger than 0 for a log distribution (low=" +
            float_repr(low) + ", high=" + float_repr(high) + ").");
  }
  if (step && !(*step > 0 && std::isfinite(*step))) {
    invalid("The `step` value must be non-zero positive value, but step=" + float_repr(*step) +
            ".");
  }
  FloatDistribution d{low, high, step, log};
  if (step) {
    bool exact = false;
    double n = whole_steps(low, high, *step, &exact);
    // grid_point rounds to 15 digits, which can land below a low written with 17.
    if (!exact) d.high = std::max(low, grid_point(low, *step, n));
  }
  return d;
}

IntDistribution make_int_distribution(int64_t low, int64_t high, int64_t step, bool log) {
  if (log && step != 1) {
    invalid("Samplers and other components in Optuna only accept step is 1 when `log` argument "
            "is True (step=" + std::to_string(step) + ").");
  }
  if (low > high) {
    invalid("The `low` value must be smaller than or equal to the `high` value (low=" +
            std::to_string(low) + ", high=" + std::to_string(high) + ").");
  }
  if (log && low < 1) {
    invalid("The `low` value must be equal to or greater than 1 for a log distribution (low=" +
            std::to_string(low) + ", high=" + std::to_string(high) + ").");
  }
  if (step <= 0) {
    invalid("The `step` value must be non-zero positive value, but step=" + std::to_string(step) +
            ".");
  }
  IntDistribution d{low, high, step, log};
  d.high = low + (high - low) / step * step;
  return d;
}

CategoricalDistribution make_categorical_distribution(std::vector<CategoricalChoice> choices) {
  if (choices.empty()) invalid("The `choices` must contain one or more elements.");
  for (size_t i = 0; i < choices.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (choice_equal(choices[i], choices[j])) {
        invalid("The `choices` must not repeat a value, but " + to_string(choices[i]) +
                " appears twice in " + choices_repr(choices) + ".");
      }
    }
  }
  return CategoricalDistribution{std::move(choices)};
}

void validate(const Distribution& d) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    FloatDistribution n = make_float_distribution(f->low, f->high, f->step, f->log);
    if (f->step && n.high != f->high) {
      invalid("The range [" + float_repr(f->low) + ", " + float_repr(f->high) +
              "] is not divisible by step=" + float_repr(*f->step) + ".");
    }
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    IntDistribution n = make_int_distribution(i->low, i->high, i->step, i->log);
    if (n.high != i->high) {
      invalid("The range [" + std::to_string(i->low) + ", " + std::to_string(i->high) +
              "] is not divisible by step=" + std::to_string(i->step) + ".");
    }
  } else {
    make_categorical_distribution(std::get<CategoricalDistribution>(d).choices);
  }
}

double to_internal(const Distribution& d, const ParamValue& external) {
  if (const auto* c = std::get_if<CategoricalDistribution>(&d)) {
    for (size_t i = 0; i < c->choices.size(); ++i) {
      if (choice_equal(external, c->choices[i])) return static_cast<double>(i);
    }
    for (size_t i = 0; i < c->choices.size(); ++i) {
      if (choice_numeric_equal(external, c->choices[i])) return static_cast<double>(i);
    }
    invalid("'" + to_string(external) + "' not in " + choices_repr(c->choices) + ".");
  }
  double v = 0.0;
  if (const int64_t* i = std::get_if<int64_t>(&external)) {
    v = static_cast<double>(*i);
  } else if (const double* f = std::get_if<double>(&external)) {
    v = *f;
  } else {
    invalid("'" + to_string(external) + "' is not a valid type. float-castable value is expected.");
  }
  if (std::isnan(v)) invalid("`" + to_string(external) + "` is invalid value.");
  bool log = std::holds_alternative<FloatDistribution>(d) ? std::get<FloatDistribution>(d).log
                                                         : std::get<IntDistribution>(d).log;
  if (log && v <= 0.0) {
    invalid("`" + to_string(external) + "` is invalid value for the case log=True.");
  }
  return v;
}

ParamValue to_external(const Distribution& d, double internal) {
  if (std::holds_alternative<FloatDistribution>(d)) return internal;
  if (std::holds_alternative<IntDistribution>(d)) {
    // Optuna truncates; values a hair below an integer (binary noise) are rounded instead.
    double r = std::round(internal);
    if (std::fabs(internal - r) < 1e-8) return static_cast<int64_t>(r);
    return static_cast<int64_t>(std::trunc(internal));
  }
  const auto& c = std::get<CategoricalDistribution>(d);
  double idx = std::trunc(internal);
  if (!(idx >= 0 && idx < static_cast<double>(c.choices.size()))) {
    invalid("categorical index " + float_repr(internal) + " is out of range for " +
            std::to_string(c.choices.size()) + " choices.");
  }
  return c.choices[static_cast<size_t>(idx)];
}

bool contains(const Distribution& d, double v) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    if (!(f->low <= v && v <= f->high)) return false;
    if (!f->step) return true;
    double k = (v - f->low) / *f->step;
    return std::fabs(k - std::round(k)) < 1.0e-8;
  }
  if (const auto* i = std::get_if<IntDistribution>(&d)) {
    if (!(static_cast<double>(i->low) <= v && v <= static_cast<double>(i->high))) return false;
    return std::fmod(v - static_cast<double>(i->low), static_cast<double>(i->step)) == 0.0;
  }
  const auto& c = std::get<CategoricalDistribution>(d);
  double idx = std::trunc(v);
  return idx >= 0 && idx < static_cast<double>(c.choices.size());
}

bool is_single(const Distribution& d) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    if (f->low == f->high) return true;
    if (!f->step) return false;
    bool exact = false;
    return whole_steps(f->low, f->high, *f->step, &exact) < 1.0;
  }
  if (const auto* i = std::get_if<IntDistribution>(&d)) {
    if (i->low == i->high) return true;
    if (i->log) return false;
    return (i->high - i->low) < i->step;
  }
  return std::get<CategoricalDistribution>(d).choices.size() == 1;
}

void check_compatible(const Distribution& before, const Distribution& now,
                      const std::string& name) {
  static const char* kKinds[] = {"FloatDistribution", "IntDistribution",
                                 "CategoricalDistribution"};
  if (before.index() != now.index()) {
    invalid("Cannot set different distribution kind to the same parameter name: '" + name +
            "' was " + kKinds[before.index()] + ", now " + kKinds[now.index()] + ".");
  }
  if (const auto* f = std::get_if<FloatDistribution>(&before)) {
    if (f->log != std::get<FloatDistribution>(now).log) {
      invalid("Cannot set different log configuration to the same parameter name '" + name +
              "'.");
    }
  } else if (const auto* i = std::get_if<IntDistribution>(&before)) {
    if (i->log != std::get<IntDistribution>(now).log) {
      invalid("Cannot set different log configuration to the same parameter name '" + name +
              "'.");
    }
  } else {
    const auto& a = std::get<CategoricalDistribution>(before).choices;
    const auto& b = std::get<CategoricalDistribution>(now).choices;
    bool same = a.size() == b.size();
    for (size_t k = 0; same && k < a.size(); ++k) same = choice_equal(a[k], b[k]);
    if (!same) {
      invalid("CategoricalDistribution does not support dynamic value space: '" + name +
              "' had choices " + choices_repr(a) + ", now " + choices_repr(b) + ".");
    }
  }
}

nlohmann::json distribution_to_json(const Distribution& d) {
  nlohmann::json attrs = nlohmann::json::object();
  std::string name;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    name = "FloatDistribution";
    attrs["step"] = f->step ? nlohmann::json(*f->step) : nlohmann::json(nullptr);
    attrs["low"] = f->low;
    attrs["high"] = f->high;
    attrs["log"] = f->log;
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    name = "IntDistribution";
    attrs["log"] = i->log;
    attrs["step"] = i->step;
    attrs["low"] = i->low;
    attrs["high"] = i->high;
  } else {
    name = "CategoricalDistribution";
    nlohmann::json choices = nlohmann::json::array();
    for (const auto& c : std::get<CategoricalDistribution>(d).choices) choices.push_back(to_json(c));
    attrs["choices"] = std::move(choices);
  }
  return nlohmann::json{{"name", name}, {"attributes", std::move(attrs)}};
}

std::string distribution_to_json_string(const Distribution& d) {
  // Python's json.dumps: ", " and ": " separators, attributes in Optuna's order.
  auto num = [](double v) { return float_repr(v); };
  std::string s;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    s = "{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": ";
    s += f->step ? num(*f->step) : "null";
    s += ", \"low\": " + num(f->low) + ", \"high\": " + num(f->high) +
         ", \"log\": " + (f->log ? "true" : "false") + "}}";
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    s = "{\"name\": \"IntDistribution\", \"attributes\": {\"log\": ";
    s += std::string(i->log ? "true" : "false") + ", \"step\": " + std::to_string(i->step) +
         ", \"low\": " + std::to_string(i->low) + ", \"high\": " + std::to_string(i->high) + "}}";
  } else {
    s = "{\"name\": \"CategoricalDistribution\", \"attributes\": {\"choices\": [";
    const auto& choices = std::get<CategoricalDistribution>(d).choices;
    for (size_t k = 0; k < choices.size(); ++k) {
      if (k) s += ", ";
      if (const double* v = std::get_if<double>(&choices[k])) {
        s += std::isnan(*v) ? "NaN" : std::isinf(*v) ? (*v > 0 ? "Infinity" : "-Infinity")
                                                      : float_repr(*v);
      } else {
        s += to_json(choices[k]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    }
    s += "]}}";
  }
  return s;
}

Distribution distribution_from_json(const nlohmann::json& j) {
  if (!j.is_object()) invalid("a distribution must be a JSON object, got " + j.dump());
  if (j.contains("name")) {
    if (!j["name"].is_string()) invalid("distribution 'name' must be a string");
    std::string name = j["name"].get<std::string>();
    const nlohmann::json& a = j.contains("attributes") ? j["attributes"] : nlohmann::json::object();
    if (!a.is_object()) invalid(name + ": 'attributes' must be an object");
    const char* n = name.c_str();
    if (name == "FloatDistribution") {
      return make_float_distribution(number_of(a, "low", n), number_of(a, "high", n),
                                     optional_number(a, "step"), bool_of(a, "log", false));
    }
    if (name == "UniformDistribution") {
      return make_float_distribution(number_of(a, "low", n), number_of(a, "high", n));
    }
    if (name == "LogUniformDistribution") {
      return make_float_distribution(number_of(a, "low", n), number_of(a, "high", n), {}, true);
    }
    if (name == "DiscreteUniformDistribution") {
      return make_float_distribution(number_of(a, "low", n), number_of(a, "high", n),
                                     number_of(a, "q", n));
    }
    if (name == "IntDistribution" || name == "IntUniformDistribution" ||
        name == "IntLogUniformDistribution") {
      bool log = name == "IntLogUniformDistribution" ||
                 (name == "IntDistribution" && bool_of(a, "log", false));
      int64_t step = a.contains("step") && !a["step"].is_null() ? integer_of(a, "step", n) : 1;
      // Optuna 2.x let IntLogUniformDistribution carry a step that samplers ignore.
      if (name == "IntLogUniformDistribution") step = 1;
      return make_int_distribution(integer_of(a, "low", n), integer_of(a, "high", n), step, log);
    }
    if (name == "CategoricalDistribution") {
      if (!a.contains("choices")) invalid("CategoricalDistribution: attribute 'choices' is missing");
      return categorical_from_json_choices(a["choices"]);
    }
    invalid("Unknown distribution class: " + name);
  }
  // The short form Optuna also reads: {"type": "float", "low": 0, "high": 1, ...}.
  if (!j.contains("type") || !j["type"].is_string()) {
    invalid("a distribution needs a 'name' (or 'type'), got " + j.dump());
  }
  std::string type = j["type"].get<std::string>();
  if (type == "categorical") {
    if (!j.contains("choices")) invalid("categorical distribution: 'choices' is missing");
    return categorical_from_json_choices(j["choices"]);
  }
  if (type == "float") {
    return make_float_distribution(number_of(j, "low", "float"), number_of(j, "high", "float"),
                                   optional_number(j, "step"), bool_of(j, "log", false));
  }
  if (type == "int") {
    int64_t step = j.contains("step") && !j["step"].is_null() ? integer_of(j, "step", "int") : 1;
    return make_int_distribution(integer_of(j, "low", "int"), integer_of(j, "high", "int"), step,
                                 bool_of(j, "log", false));
  }
  invalid("Unknown distribution type: " + type);
}

std::string to_string(const ParamValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "None";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          return float_repr(x);
        } else {
          return x;
        }
      },
      v);
}

nlohmann::json to_json(const ParamValue& v) {
  return std::visit(
      [](const auto& x) -> nlohmann::json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else {
          return x;
        }
      },
      v);
}

ParamValue param_value_from_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return std::monostate{};
    case nlohmann::json::value_t::boolean:
      return j.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return j.get<int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return static_cast<double>(u);
      return static_cast<int64_t>(u);
    }
    case nlohmann::json::value_t::number_float:
      return j.get<double>();
    case nlohmann::json::value_t::string:
      return j.get<std::string>();
    default:
      invalid("a parameter value must be null, a bool, a number or a string, got " + j.dump());
  }
}

}  // namespace hpo
