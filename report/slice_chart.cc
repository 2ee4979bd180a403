// Slice plot of one param: each COMPLETE trial's objective value against its value of the
// param, coloured by trial number (blue = early, red = late). Categorical values are spread a
// little within their band, deterministically by trial number, so equal points stay apart.
#include <stdexcept>

#include "report/charts.h"

namespace hpo::report {
namespace {

Trials trials_with(const ReportData& data, const ParamAxis& axis) {
  Trials out;
  for (const TrialPtr& t : data.complete_trials()) {
    if (param_value(*t, axis)) out.push_back(t);
  }
  return out;
}

// A fixed offset in [-0.5, 0.5) per trial number (Knuth's multiplicative hash).
double jitter(int64_t number) {
  uint64_t h = static_cast<uint64_t>(number) * 2654435761u;
  return static_cast<double>(h % 1000) / 1000.0 - 0.5;
}

}  // namespace

bool has_slice(const ReportData& data, const ParamAxis& axis) {
  return !trials_with(data, axis).empty();
}

std::string slice_chart(const ReportData& data, const ParamAxis& axis, size_t objective) {
  Trials trials = trials_with(data, axis);
  if (trials.empty()) {
    throw std::invalid_argument("slice plot of '" + axis.name + "': no COMPLETE trial has it");
  }
  Frame f = chart_frame(kSliceWidth, kSliceHeight);
  std::vector<double> values;
  for (const TrialPtr& t : trials) values.push_back(t->values[objective]);
  Scale x = param_scale(axis, f.left + 8, f.right() - 8);
  Scale y = value_scale(values, f.bottom(), f.top);

  std::string x_title = axis.name + (axis.log ? " (log)" : "");
  SvgBuilder svg(kSliceWidth, kSliceHeight, "slice",
                 "Slice plot of " + axis.name + " against " + data.objective_label(objective));
  draw_axes(svg, f, x, y, x_title, data.objective_label(objective));
  double band = axis.kind == ParamKind::kCategorical
                    ? (f.width - 16) / static_cast<double>(axis.choices.size())
                    : 0.0;
  double first = static_cast<double>(data.trials.front()->number);
  double span = static_cast<double>(data.trials.back()->number) - first;
  svg.begin_group("markers");
  for (size_t i = 0; i < trials.size(); ++i) {
    const FrozenTrial& t = *trials[i];
    double px = x(*param_value(t, axis)) + band * 0.4 * jitter(t.number);
    double age = span > 0 ? (static_cast<double>(t.number) - first) / span : 0.5;
    svg.circle(px, y(values[i]), 3.5, "marker", trial_tooltip(t), "fill:" + ramp_color(age));
  }
  svg.end_group();
  return svg.finish();
}

}  // namespace hpo::report
