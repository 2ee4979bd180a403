// The report's charts, each an <svg> string built from ReportData (one .cc per chart kind).
// Every chart marks its elements with classes the page's CSS styles and the tests count:
//   history       "marker" per COMPLETE trial, one "best-line" (single objective)
//   intermediate  one "trial-line state-<state>" polyline per trial with intermediate values
//                 and a "last-point state-<state>" circle at its last step
//   parallel      one "trial-line" polyline per COMPLETE trial that has every param
//   slice         "marker" per COMPLETE trial that has the param
//   importance    one "bar" per param
//   pareto        "marker front" for the Pareto front, "marker dominated" for the rest
// Each function needs data to draw (its has_* predicate says whether there is any) and throws
// std::invalid_argument otherwise, so the page can print a note instead of an empty frame.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/study_data.h"
#include "report/svg.h"

namespace hpo::report {

// Shared sizes: every chart is kChartWidth wide, with room for tick labels and axis titles.
inline constexpr double kChartWidth = 640;
inline constexpr double kChartHeight = 340;
// Slice plots come one per param, so they are smaller and sit side by side.
inline constexpr double kSliceWidth = 420;
inline constexpr double kSliceHeight = 300;
Frame chart_frame(double width = kChartWidth, double height = kChartHeight);

// The axis for a param: categorical labels, a log axis for log distributions, else linear.
Scale param_scale(const ParamAxis& axis, double from, double to);
// A linear axis over `values`, padded by 5% on each side so markers do not sit on the frame.
Scale value_scale(const std::vector<double>& values, double from, double to);
// The trial's internal value of the param, if it has one of the axis's kind.
std::optional<double> param_value(const FrozenTrial& trial, const ParamAxis& axis);
// "trial 3 (COMPLETE)", the values and the params, one per line: a marker's tooltip.
std::string trial_tooltip(const FrozenTrial& trial);
// "state-complete", "state-pruned", ...
std::string state_class(TrialState state);

bool has_history(const ReportData& data);
std::string history_chart(const ReportData& data, size_t objective);

bool has_intermediate(const ReportData& data);
std::string intermediate_chart(const ReportData& data);

// Trials drawn on the parallel coordinates: COMPLETE ones that have every param.
Trials parallel_trials(const ReportData& data);
bool has_parallel(const ReportData& data);
std::string parallel_chart(const ReportData& data, size_t objective);

bool has_slice(const ReportData& data, const ParamAxis& axis);
std::string slice_chart(const ReportData& data, const ParamAxis& axis, size_t objective);

std::string importance_chart(const ObjectiveImportances& importances);

// Two objectives or more (objectives 0 and 1 are drawn) and a COMPLETE trial.
bool has_pareto(const ReportData& data);
std::string pareto_chart(const ReportData& data);

}  // namespace hpo::report
