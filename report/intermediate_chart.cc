// Intermediate values: one line per trial through its reported (step, value) pairs, coloured
// by the trial's state so pruned trials stand out, with a dot at the last reported step.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {

bool has_intermediate(const ReportData& data) {
  for (const TrialPtr& t : data.trials) {
    if (!t->intermediate_values.empty()) return true;
  }
  return false;
}

std::string intermediate_chart(const ReportData& data) {
  if (!has_intermediate(data)) {
    throw std::invalid_argument("intermediate chart: no trial reported an intermediate value");
  }
  std::vector<double> steps, values;
  for (const TrialPtr& t : data.trials) {
    for (const auto& [step, value] : t->intermediate_values) {
      steps.push_back(static_cast<double>(step));
      // Non-finite reports are legal but cannot be placed; they leave a gap in the line.
      if (std::isfinite(value)) values.push_back(value);
    }
  }
  Frame f = chart_frame();
  auto [lo, hi] = std::minmax_element(steps.begin(), steps.end());
  Scale x = Scale::linear(*lo, *hi, f.left + 8, f.right() - 8).integer_ticks();
  Scale y = value_scale(values, f.bottom(), f.top);

  SvgBuilder svg(kChartWidth, kChartHeight, "intermediate", "Intermediate values per trial");
  draw_axes(svg, f, x, y, "step", "intermediate value");
  svg.begin_group("trials");
  for (const TrialPtr& t : data.trials) {
    if (t->intermediate_values.empty()) continue;
    std::vector<std::pair<double, double>> points;
    for (const auto& [step, value] : t->intermediate_values) {
      if (std::isfinite(value)) points.emplace_back(x(static_cast<double>(step)), y(value));
    }
    std::string state = state_class(t->state);
    std::string tip = "trial " + std::to_string(t->number) + " (" +
                      std::string(to_string(t->state)) + "), " +
                      std::to_string(t->intermediate_values.size()) + " steps";
    svg.polyline(points, "trial-line " + state, tip);
    if (!points.empty()) {
      svg.circle(points.back().first, points.back().second, 3, "last-point " + state, tip);
    }
  }
  svg.end_group();
  return svg.finish();
}

}  // namespace hpo::report
