#include "report/html_page.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "report/charts.h"
#include "report/svg.h"

namespace hpo::report {
namespace {

// Shapes and colours of the chart classes (see charts.h); the page's only styling.
constexpr const char* kCss = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:14px;margin:8px 0 4px}
.summary td{padding:2px 12px 2px 0;vertical-align:top;text-align:left;border:0}
.note,.empty{color:#666;font-size:12px}.figures{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0}
svg.chart{background:#fff;border:1px solid #e4e4e4;display:block;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .axis-title{font-size:12px;fill:#111}
svg text.note{fill:#666}.axis,.tick{stroke:#333;stroke-width:1}.grid{stroke:#eee}
.marker{fill:#2c7bb6;fill-opacity:.8;stroke:#fff;stroke-width:.5}
.marker.best{fill:#d7191c;stroke:#000;stroke-width:1}
.best-line{fill:none;stroke:#d7191c;stroke-width:2}
.trial-line{fill:none;stroke-width:1.3;stroke-opacity:.75}
.chart-intermediate .state-complete{stroke:#2c7bb6}
.chart-intermediate .state-pruned{stroke:#e66101;stroke-dasharray:4 2}
.chart-intermediate .state-fail{stroke:#999}
.chart-intermediate .state-running,.chart-intermediate .state-waiting{stroke:#1a9641}
.last-point{stroke:none}.last-point.state-complete{fill:#2c7bb6}
.last-point.state-pruned{fill:#e66101}.last-point.state-fail{fill:#999}
.last-point.state-running,.last-point.state-waiting{fill:#1a9641}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}
.bar{fill:#2c7bb6}.bar-value{fill:#444}.front-line{fill:none;stroke:#d7191c;stroke-width:1.5}
.marker.front{fill:#d7191c}.marker.dominated{fill:#aaa}
table{border-collapse:collapse;font-size:12px;margin-top:8px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f4f4f4;cursor:pointer;user-select:none}th.asc::after{content:" \25B2"}
th.desc::after{content:" \25BC"}td.text{text-align:left}tr.state-pruned td{background:#fff4ec}
tr.state-fail td{background:#f3f3f3;color:#777}
)css";

// Sorts the trials table by the clicked column (numbers as numbers, via data-sort).
constexpr const char* kScript = R"js(
document.querySelectorAll('table.sortable th').forEach(function(th, col) {
  th.addEventListener('click', function() {
    var body = th.closest('table').tBodies[0], asc = !th.classList.contains('asc');
    th.parentNode.querySelectorAll('th').forEach(function(h) {
      h.classList.remove('asc', 'desc');
    });
    th.classList.add(asc ? 'asc' : 'desc');
    var key = function(r) { var c = r.cells[col], s = c.getAttribute('data-sort');
      return s === null ? c.textContent : (s === '' ? NaN : parseFloat(s)); };
    Array.from(body.rows).sort(function(a, b) {
      var x = key(a), y = key(b), d = typeof x === 'number' && typeof y === 'number'
        ? (isNaN(x) ? 1 : isNaN(y) ? -1 : x - y) : String(x).localeCompare(String(y));
      return asc ? d : -d;
    }).forEach(function(r) { body.appendChild(r); });
  });
});
)js";

std::string empty_note(const std::string& why) {
  return "<p class=\"empty\">" + escape_xml(why) + "</p>\n";
}

std::string figure(const std::string& svg, const std::string& caption = {}) {
  std::string out = "<figure>";
  if (!caption.empty()) out += "<h3>" + escape_xml(caption) + "</h3>";
  return out + svg + "</figure>\n";
}

std::string summary(const ReportData& data) {
  std::string directions;
  for (StudyDirection d : data.directions) {
    directions += (directions.empty() ? "" : ", ") + std::string(to_string(d));
  }
  std::string counts = std::to_string(data.trials.size()) + " trials";
  for (TrialState s : {TrialState::kComplete, TrialState::kPruned, TrialState::kFail,
                       TrialState::kRunning, TrialState::kWaiting}) {
    if (size_t n = data.count(s))
      counts += ", " + std::to_string(n) + " " + std::string(to_string(s));
  }
  std::string out = "<table class=\"summary\"><tr><td>directions</td><td>" +
                    escape_xml(directions) + "</td></tr><tr><td>trials</td><td>" +
                    escape_xml(counts) + "</td></tr>";
  std::string best;
  // A long Pareto front would push the charts off the first screen; the table has every trial.
  constexpr size_t kMaxListed = 10;
  for (size_t k = 0; k < data.best.size() && k < kMaxListed; ++k) {
    const TrialPtr& t = data.best[k];
    std::string line = "trial " + std::to_string(t->number) + ": ";
    for (size_t i = 0; i < t->values.size(); ++i) {
      line += (i ? ", " : "") + format_number(t->values[i]);
    }
    std::string params;
    for (const auto& [name, value] : t->external_params()) {
      const double* d = std::get_if<double>(&value);
      params +=
          (params.empty() ? "" : ", ") + name + "=" + (d ? format_number(*d) : to_string(value));
    }
    if (!params.empty()) line += " (" + params + ")";
    best += (best.empty() ? "" : "<br>") + escape_xml(line);
  }
  if (data.best.size() > kMaxListed) {
    best += "<br>and " + std::to_string(data.best.size() - kMaxListed) + " more (see the table)";
  }
  out += std::string("<tr><td>") + (data.directions.size() == 1 ? "best" : "Pareto front") +
         "</td><td>" + (best.empty() ? "no COMPLETE trial yet" : best) + "</td></tr></table>\n";
  return out;
}

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + escape_xml(title) + "</h2>\n" + body + "</section>\n";
}

// Shows whole numbers in full (trial 12345, not 1.234e+04) and others with 6 digits; sorts by
// the exact value, so rows that look equal still sort in their true order.
std::string number_cell(std::optional<double> v) {
  if (!v) return "<td data-sort=\"\"></td>";
  char shown[32], exact[32];
  bool whole = std::isfinite(*v) && *v == std::round(*v) && std::abs(*v) < 1e15;
  std::snprintf(shown, sizeof shown, whole ? "%.0f" : "%.6g", *v);
  std::snprintf(exact, sizeof exact, "%.17g", *v);
  return "<td data-sort=\"" + std::string(exact) + "\">" + escape_xml(shown) + "</td>";
}

}  // namespace

std::string trials_table(const ReportData& data) {
  std::string out =
      "<table id=\"trials\" class=\"sortable\"><thead><tr><th>number</th><th>state</th>";
  size_t n_values = data.directions.size();
  for (size_t i = 0; i < n_values; ++i)
    out += "<th>" + escape_xml(n_values == 1 ? "value" : "value " + std::to_string(i)) + "</th>";
  for (const ParamAxis& a : data.params) out += "<th>" + escape_xml(a.name) + "</th>";
  out += "<th>duration (s)</th></tr></thead><tbody>\n";
  for (const TrialPtr& t : data.trials) {
    out += "<tr class=\"" + state_class(t->state) + "\">" +
           number_cell(static_cast<double>(t->number)) + "<td class=\"text\">" +
           std::string(to_string(t->state)) + "</td>";
    for (size_t i = 0; i < n_values; ++i) {
      out += number_cell(i < t->values.size() ? std::optional<double>(t->values[i]) : std::nullopt);
    }
    for (const ParamAxis& a : data.params) {
      auto value = t->params.find(a.name);
      auto dist = t->distributions.find(a.name);
      if (value == t->params.end() || dist == t->distributions.end()) {
        out += "<td data-sort=\"\"></td>";
      } else if (std::holds_alternative<CategoricalDistribution>(dist->second)) {
        out += "<td class=\"text\">" +
               escape_xml(to_string(to_external(dist->second, value->second))) + "</td>";
      } else {
        out += number_cell(value->second);
      }
    }
    std::optional<double> duration;
    if (t->datetime_start && t->datetime_complete) {
      duration = std::chrono::duration<double>(*t->datetime_complete - *t->datetime_start).count();
    }
    out += number_cell(duration) + "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string render_report(const ReportData& data) {
  std::string title = "hpo report: " + data.study_name;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
      "<title>" +
      escape_xml(title) + "</title>\n<style>" + kCss +
      "</style></head>\n<body>\n"
      "<h1>" +
      escape_xml(title) + "</h1>\n" + summary(data);

  size_t n_objectives = data.directions.size();
  std::string body;
  for (size_t i = 0; i < n_objectives && has_history(data); ++i) {
    body += figure(history_chart(data, i), n_objectives > 1 ? data.objective_label(i) : "");
  }
  out += section("history", "Optimization history",
                 body.empty() ? empty_note("No COMPLETE trial yet.")
                              : "<div class=\"figures\">" + body + "</div>");

  body = has_intermediate(data)
             ? "<p class=\"legend note\"><span><i style=\"background:#2c7bb6\"></i>COMPLETE</span>"
               "<span><i style=\"background:#e66101\"></i>PRUNED</span><span><i "
               "style=\"background:#999\">"
               "</i>FAIL</span><span><i style=\"background:#1a9641\"></i>RUNNING</span></p>" +
                   figure(intermediate_chart(data))
             : empty_note("No trial reported intermediate values.");
  out += section("intermediate", "Intermediate values", body);

  // Parallel coordinates and slices show objective 0; with several objectives, say so.
  std::string of = n_objectives > 1 ? " (objective 0)" : "";
  out += section("parallel", "Parallel coordinates" + of,
                 has_parallel(data)
                     ? "<p class=\"note\">Line colour: the objective, blue = better.</p>" +
                           figure(parallel_chart(data, 0))
                     : empty_note("No COMPLETE trial with params yet."));
  body.clear();
  for (const ParamAxis& a : data.params) {
    if (has_slice(data, a)) body += figure(slice_chart(data, a, 0));
  }
  out += section("slice", "Slice plots" + of,
                 body.empty() ? empty_note("No COMPLETE trial with params yet.")
                              : "<p class=\"note\">Point colour: the trial number, blue = "
                                "early, red = late.</p><div class=\"figures\">" +
                                    body + "</div>");

  body.clear();
  for (const ObjectiveImportances& imp : data.importances) {
    std::string caption = n_objectives > 1 ? data.objective_label(imp.objective) : "";
    body += imp.importances.empty()
                ? (caption.empty() ? "" : "<h3>" + escape_xml(caption) + "</h3>") +
                      empty_note("No importances: " + imp.note)
                : figure(importance_chart(imp), caption);
  }
  out += section("importance", "Hyperparameter importances (PED-ANOVA)", body);

  if (n_objectives >= 2) {
    out += section(
        "pareto", "Pareto front",
        has_pareto(data) ? figure(pareto_chart(data)) : empty_note("No COMPLETE trial yet."));
  }
  out += section("trials", "Trials",
                 "<p class=\"note\">Click a column to sort.</p>" + trials_table(data));
  return out + "<script>" + kScript + "</script>\n</body></html>\n";
}

}  // namespace hpo::report
