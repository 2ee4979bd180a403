// Pareto front of objectives 0 and 1: every COMPLETE trial as a point, the front highlighted
// and joined in order of objective 0. With more than two objectives the front is still the
// one over all objectives, so some front points may look dominated in this projection.
#include <algorithm>
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {

bool has_pareto(const ReportData& data) {
  return data.directions.size() >= 2 && !data.complete_trials().empty();
}

std::string pareto_chart(const ReportData& data) {
  if (!has_pareto(data)) {
    throw std::invalid_argument("Pareto chart: needs two objectives and a COMPLETE trial");
  }
  Trials complete = data.complete_trials();
  std::vector<double> v0, v1;
  for (const TrialPtr& t : complete) {
    v0.push_back(t->values[0]);
    v1.push_back(t->values[1]);
  }
  Frame f = chart_frame();
  Scale x = value_scale(v0, f.left, f.right());
  Scale y = value_scale(v1, f.bottom(), f.top);
  SvgBuilder svg(kChartWidth, kChartHeight, "pareto", "Pareto front of objectives 0 and 1");
  draw_axes(svg, f, x, y,
            data.objective_label(0) + " (" + std::string(to_string(data.directions[0])) + ")",
            data.objective_label(1) + " (" + std::string(to_string(data.directions[1])) + ")");

  Trials front = data.best;
  std::sort(front.begin(), front.end(), [](const TrialPtr& a, const TrialPtr& b) {
    return a->values[0] < b->values[0] || (a->values[0] == b->values[0] && a->number < b->number);
  });
  if (data.directions.size() == 2 && front.size() > 1) {
    std::vector<std::pair<double, double>> points;
    for (const TrialPtr& t : front) points.emplace_back(x(t->values[0]), y(t->values[1]));
    svg.polyline(points, "front-line");
  }
  svg.begin_group("markers");
  // Dominated points first, so the front is drawn on top of them.
  for (bool on_front : {false, true}) {
    for (size_t i = 0; i < complete.size(); ++i) {
      bool is_front = std::find(front.begin(), front.end(), complete[i]) != front.end();
      if (is_front != on_front) continue;
      svg.circle(x(v0[i]), y(v1[i]), is_front ? 4.5 : 3.5,
                 is_front ? "marker front" : "marker dominated", trial_tooltip(*complete[i]));
    }
  }
  svg.end_group();
  return svg.finish();
}

}  // namespace hpo::report
