#include <algorithm>
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {

Frame chart_frame(double width, double height) {
  // Left: y tick labels and the rotated y title; bottom: x tick labels (maybe slanted) and title.
  return Frame{78, 16, width - 78 - 24, height - 16 - 62};
}

Scale param_scale(const ParamAxis& axis, double from, double to) {
  if (axis.kind == ParamKind::kCategorical) return Scale::categorical(axis.choices, from, to);
  Scale s = axis.log && axis.low > 0 ? Scale::log(axis.low, axis.high, from, to)
                                     : Scale::linear(axis.low, axis.high, from, to);
  if (axis.kind == ParamKind::kInt) s.integer_ticks();
  return s;
}

Scale value_scale(const std::vector<double>& values, double from, double to) {
  if (values.empty()) return Scale::linear(0, 1, from, to);
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  double pad = (*hi - *lo) * 0.05;
  return Scale::linear(*lo - pad, *hi + pad, from, to);
}

std::optional<double> param_value(const FrozenTrial& trial, const ParamAxis& axis) {
  auto value = trial.params.find(axis.name);
  auto dist = trial.distributions.find(axis.name);
  if (value == trial.params.end() || dist == trial.distributions.end()) return std::nullopt;
  bool categorical = std::holds_alternative<CategoricalDistribution>(dist->second);
  if (categorical != (axis.kind == ParamKind::kCategorical)) return std::nullopt;
  return value->second;
}

std::string trial_tooltip(const FrozenTrial& trial) {
  std::string s =
      "trial " + std::to_string(trial.number) + " (" + std::string(to_string(trial.state)) + ")";
  for (size_t i = 0; i < trial.values.size(); ++i) {
    s += trial.values.size() == 1 ? "\nvalue " : "\nvalue " + std::to_string(i) + " ";
    s += format_number(trial.values[i]);
  }
  for (const auto& [name, value] : trial.external_params()) {
    s += "\n" + name + " = " + to_string(value);
  }
  return s;
}

std::string state_class(TrialState state) {
  std::string s(to_string(state));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return "state-" + s;
}

}  // namespace hpo::report
