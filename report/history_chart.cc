// Optimization history: every COMPLETE trial's value by trial number, and the best value so
// far as a step line (single-objective studies; with several objectives "best" is a front).
#include <algorithm>
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {

bool has_history(const ReportData& data) { return !data.complete_trials().empty(); }

std::string history_chart(const ReportData& data, size_t objective) {
  Trials complete = data.complete_trials();
  if (complete.empty()) throw std::invalid_argument("history chart: no COMPLETE trial to draw");
  if (objective >= data.directions.size()) {
    throw std::invalid_argument("history chart: objective " + std::to_string(objective) +
                                " out of range; the study has " +
                                std::to_string(data.directions.size()));
  }
  Frame f = chart_frame();
  std::vector<double> values;
  for (const TrialPtr& t : complete) values.push_back(t->values[objective]);
  double first = static_cast<double>(data.trials.front()->number);
  double last = static_cast<double>(data.trials.back()->number);
  Scale x = Scale::linear(first, last, f.left + 8, f.right() - 8).integer_ticks();
  Scale y = value_scale(values, f.bottom(), f.top);

  SvgBuilder svg(kChartWidth, kChartHeight, "history",
                 "Optimization history of " + data.objective_label(objective));
  draw_axes(svg, f, x, y, "trial number", data.objective_label(objective));

  if (data.directions.size() == 1) {
    bool minimize = data.directions[0] == StudyDirection::kMinimize;
    std::vector<std::pair<double, double>> steps;
    double best = values[0];
    for (size_t i = 0; i < complete.size(); ++i) {
      double v = values[i];
      double px = x(static_cast<double>(complete[i]->number));
      if (i > 0) steps.emplace_back(px, y(best));  // hold the old best until this trial
      if (i == 0 || (minimize ? v < best : v > best)) best = v;
      steps.emplace_back(px, y(best));
    }
    steps.emplace_back(x(last), y(best));
    svg.polyline(steps, "best-line", "best value so far: " + format_number(best));
  }
  svg.begin_group("markers");
  for (size_t i = 0; i < complete.size(); ++i) {
    bool is_best = std::find(data.best.begin(), data.best.end(), complete[i]) != data.best.end();
    svg.circle(x(static_cast<double>(complete[i]->number)), y(values[i]), 3.5,
               is_best ? "marker best" : "marker", trial_tooltip(*complete[i]));
  }
  svg.end_group();
  return svg.finish();
}

}  // namespace hpo::report
