// Parallel coordinates: one vertical axis for the objective and one per param, and one line per
// COMPLETE trial through its values, coloured by the objective (blue = better).
#include <algorithm>
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {

Trials parallel_trials(const ReportData& data) {
  Trials out;
  for (const TrialPtr& t : data.complete_trials()) {
    bool all = std::all_of(data.params.begin(), data.params.end(),
                           [&](const ParamAxis& a) { return param_value(*t, a).has_value(); });
    if (all) out.push_back(t);
  }
  return out;
}

bool has_parallel(const ReportData& data) {
  return !data.params.empty() && !parallel_trials(data).empty();
}

std::string parallel_chart(const ReportData& data, size_t objective) {
  Trials trials = parallel_trials(data);
  if (data.params.empty() || trials.empty()) {
    throw std::invalid_argument("parallel coordinates: no COMPLETE trial has every param");
  }
  size_t n_axes = data.params.size() + 1;
  double width = std::max(kChartWidth, 110.0 * static_cast<double>(n_axes));
  double top = 34, bottom = kChartHeight - 44;
  double left = 60, right = width - 60;
  auto axis_x = [&](size_t i) {
    return left + (right - left) * static_cast<double>(i) / static_cast<double>(n_axes - 1);
  };

  std::vector<double> values;
  for (const TrialPtr& t : trials) values.push_back(t->values[objective]);
  std::vector<Scale> scales{value_scale(values, bottom, top)};
  std::vector<std::string> titles{data.objective_label(objective)};
  for (const ParamAxis& a : data.params) {
    scales.push_back(param_scale(a, bottom, top));
    titles.push_back(a.name);
  }

  SvgBuilder svg(width, kChartHeight, "parallel",
                 "Parallel coordinates of params and " + data.objective_label(objective));
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  bool minimize = data.directions[objective] == StudyDirection::kMinimize;
  svg.begin_group("trials");
  for (size_t k = 0; k < trials.size(); ++k) {
    const FrozenTrial& t = *trials[k];
    std::vector<std::pair<double, double>> points{{axis_x(0), scales[0](values[k])}};
    for (size_t i = 0; i < data.params.size(); ++i) {
      points.emplace_back(axis_x(i + 1), scales[i + 1](*param_value(t, data.params[i])));
    }
    double rank = *hi > *lo ? (values[k] - *lo) / (*hi - *lo) : 0.5;
    svg.polyline(points, "trial-line", trial_tooltip(t),
                 "stroke:" + ramp_color(minimize ? rank : 1 - rank));
  }
  svg.end_group();

  svg.begin_group("axes");
  for (size_t i = 0; i < n_axes; ++i) {
    double x = axis_x(i);
    svg.line(x, top, x, bottom, "axis");
    std::string title = titles[i].size() > 20 ? titles[i].substr(0, 19) + "…" : titles[i];
    svg.text(x, top - 14, title, "axis-title", "middle");
    for (const Tick& tick : scales[i].ticks(5)) {
      std::string label = tick.label.size() > 12 ? tick.label.substr(0, 11) + "…" : tick.label;
      svg.line(x - 3, scales[i](tick.value), x, scales[i](tick.value), "tick");
      svg.text(x - 5, scales[i](tick.value) + 4, label, "tick-label", "end");
    }
  }
  svg.end_group();
  svg.text(left, kChartHeight - 12,
           std::to_string(trials.size()) + " COMPLETE trials with every param", "note");
  return svg.finish();
}

}  // namespace hpo::report
