// The report page and its charts on real studies (in-memory storage): element counts per chart,
// escaping of user strings, empty and all-FAIL studies, log and categorical axes.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "core/factory.h"
#include "core/study.h"
#include "report/charts.h"
#include "report/html_page.h"
#include "report/study_data.h"

namespace hpo::report {
namespace {

std::shared_ptr<Study> new_study(
    std::vector<StudyDirection> directions = {StudyDirection::kMinimize},
    std::string name = "report-test") {
  CreateStudyOptions o;
  o.sampler = make_sampler("random", {{"seed", 3}});
  o.directions = std::move(directions);
  o.study_name = std::move(name);
  return Study::create(o);
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The <svg> of the chart kind `chart`, the n-th of its kind.
std::string chart_of(const std::string& page, const std::string& chart, size_t nth = 0) {
  size_t pos = 0;
  for (size_t i = 0; i <= nth; ++i) {
    pos = page.find("data-chart=\"" + chart + "\"", i == 0 ? 0 : pos + 1);
    if (pos == std::string::npos) return "";
  }
  size_t start = page.rfind("<svg", pos);
  return page.substr(start, page.find("</svg>", pos) + 6 - start);
}

// 10 trials: lr (log float), layers (int), optimizer (categorical); each reports 4 steps;
// trials 3 and 7 are pruned after 2 steps, trial 5 fails.
std::shared_ptr<Study> mixed_study() {
  auto study = new_study();
  for (int i = 0; i < 10; ++i) {
    Trial t = study->ask();
    double lr = t.suggest_float("lr", 1e-5, 1e-1, {.log = true});
    int64_t layers = t.suggest_int("layers", 1, 4);
    std::string opt = t.suggest_categorical<std::string>("optimizer", {"adam", "sgd", "rms"});
    double loss =
        std::log10(lr) * std::log10(lr) + static_cast<double>(layers) + (opt == "adam" ? 0 : 1);
    int steps = (i == 3 || i == 7) ? 2 : 4;
    for (int s = 0; s < steps; ++s) t.report(loss + 4 - s, s);
    if (i == 3 || i == 7) {
      study->tell(t, TrialState::kPruned);
    } else if (i == 5) {
      study->tell(t, TrialState::kFail);
    } else {
      study->tell(t, loss);
    }
  }
  return study;
}

TEST(ReportDataTest, AxesFollowTheDistributions) {
  ReportData data = gather_report_data(*mixed_study());
  ASSERT_EQ(data.params.size(), 3u);
  EXPECT_EQ(data.params[0].name, "layers");
  EXPECT_EQ(data.params[0].kind, ParamKind::kInt);
  EXPECT_EQ(data.params[1].name, "lr");
  EXPECT_TRUE(data.params[1].log);
  EXPECT_DOUBLE_EQ(data.params[1].low, 1e-5);
  EXPECT_EQ(data.params[2].kind, ParamKind::kCategorical);
  EXPECT_EQ(data.params[2].choices, (std::vector<std::string>{"adam", "sgd", "rms"}));
  EXPECT_EQ(data.complete_trials().size(), 7u);
  EXPECT_EQ(data.count(TrialState::kPruned), 2u);
  ASSERT_EQ(data.best.size(), 1u);
  for (const TrialPtr& t : data.complete_trials()) EXPECT_GE(t->values[0], data.best[0]->values[0]);
}

TEST(ReportPageTest, EveryChartHasTheExpectedElementCounts) {
  std::string page = render_report(gather_report_data(*mixed_study()));
  std::string history = chart_of(page, "history");
  EXPECT_EQ(count(history, "<circle"), 7u);  // COMPLETE trials only
  EXPECT_EQ(count(history, "class=\"marker\""), 6u);
  EXPECT_EQ(count(history, "class=\"best-line\""), 1u);
  EXPECT_EQ(count(history, "class=\"marker best\""), 1u);

  std::string inter = chart_of(page, "intermediate");
  EXPECT_EQ(count(inter, "<polyline"), 10u);  // every trial reported
  EXPECT_EQ(count(inter, "class=\"trial-line state-pruned\""), 2u);
  EXPECT_EQ(count(inter, "class=\"trial-line state-fail\""), 1u);
  EXPECT_EQ(count(inter, "class=\"last-point state-pruned\""), 2u);

  EXPECT_EQ(count(chart_of(page, "parallel"), "class=\"trial-line\""), 7u);
  EXPECT_EQ(count(page, "data-chart=\"slice\""), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(count(chart_of(page, "slice", i), "class=\"marker\""), 7u);
  EXPECT_EQ(count(chart_of(page, "importance"), "class=\"bar\""), 3u);
  EXPECT_EQ(count(page, "data-chart=\"pareto\""), 0u);
  // The table: one row per trial, pruned and failed rows marked.
  EXPECT_EQ(count(page, "<tr class=\"state-"), 10u);
  EXPECT_EQ(count(page, "<tr class=\"state-pruned\""), 2u);
}

TEST(ReportPageTest, LogAndCategoricalAxesAreLabelled) {
  ReportData data = gather_report_data(*mixed_study());
  std::string lr = slice_chart(data, data.params[1], 0);
  for (const char* label : {">1e-05<", ">0.0001<", ">0.001<", ">0.01<", ">0.1<"}) {
    EXPECT_NE(lr.find(label), std::string::npos) << label;
  }
  EXPECT_NE(lr.find("lr (log)"), std::string::npos);
  std::string opt = slice_chart(data, data.params[2], 0);
  for (const char* label : {">adam<", ">sgd<", ">rms<"}) {
    EXPECT_NE(opt.find(label), std::string::npos) << label;
  }
}

TEST(ReportPageTest, UserStringsCannotBreakThePage) {
  auto study = new_study({StudyDirection::kMinimize}, "study <script>alert(1)</script> & \"co\"");
  for (int i = 0; i < 4; ++i) {
    Trial t = study->ask();
    double x = t.suggest_float("<x&\"y\">", 0, 1);
    std::string c = t.suggest_categorical<std::string>("c'", {"</svg><b>", "a&b"});
    study->tell(t, x + (c == "a&b" ? 1 : 0));
  }
  std::string page = render_report(gather_report_data(*study));
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("<x&"), std::string::npos);
  EXPECT_EQ(page.find("</svg><b>"), std::string::npos);
  EXPECT_NE(page.find("&lt;x&amp;&quot;y&quot;&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;/svg&gt;&lt;b&gt;"), std::string::npos);
  EXPECT_NE(page.find("study &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"),
            std::string::npos);
  // Every element opened is closed: as many <svg as </svg>, one <script> (the table sorter).
  EXPECT_EQ(count(page, "<svg"), count(page, "</svg>"));
  EXPECT_EQ(count(page, "<script>"), 1u);
  EXPECT_EQ(count(page, "data-chart=\"slice\""), 2u);
}

TEST(ReportPageTest, EmptyStudyGivesNotesAndNoCharts) {
  auto study = new_study();
  std::string page = render_report(gather_report_data(*study));
  EXPECT_EQ(count(page, "<svg"), 0u);
  EXPECT_NE(page.find("No COMPLETE trial yet."), std::string::npos);
  EXPECT_NE(page.find("No trial reported intermediate values."), std::string::npos);
  EXPECT_EQ(count(page, "<tr class=\"state-"), 0u);
  EXPECT_NE(page.find("no COMPLETE trial yet"), std::string::npos);  // the summary's best
}

TEST(ReportPageTest, OnlyFailedTrials) {
  auto study = new_study();
  for (int i = 0; i < 3; ++i) {
    Trial t = study->ask();
    t.suggest_float("x", 0, 1);
    study->tell(t, TrialState::kFail);
  }
  std::string page = render_report(gather_report_data(*study));
  EXPECT_EQ(count(page, "<svg"), 0u);
  EXPECT_EQ(count(page, "<tr class=\"state-fail\""), 3u);
  EXPECT_NE(page.find("3 trials, 3 FAIL"), std::string::npos);
}

TEST(ReportPageTest, TwoObjectivesDrawTheParetoFront) {
  auto study = new_study({StudyDirection::kMinimize, StudyDirection::kMinimize});
  // (x, 1 - x) for x in 0, 0.25, ..., 1 is all front; (0.9, 0.9) and (1, 1) are dominated.
  std::vector<std::pair<double, double>> values{{0, 1}, {0.25, 0.75}, {0.9, 0.9}, {0.5, 0.5},
                                                {1, 1}, {0.75, 0.25}, {1, 0}};
  for (auto [a, b] : values) {
    Trial t = study->ask();
    t.suggest_float("x", 0, 1);
    study->tell(t, std::vector<double>{a, b});
  }
  std::string page = render_report(gather_report_data(*study));
  std::string pareto = chart_of(page, "pareto");
  EXPECT_EQ(count(pareto, "class=\"marker front\""), 5u);
  EXPECT_EQ(count(pareto, "class=\"marker dominated\""), 2u);
  EXPECT_EQ(count(pareto, "class=\"front-line\""), 1u);
  EXPECT_EQ(count(page, "data-chart=\"history\""), 2u);  // one per objective
  EXPECT_EQ(count(chart_of(page, "history"), "best-line"), 0u);
}

TEST(ChartTest, ChartsWithoutDataThrowInsteadOfDrawingNothing) {
  ReportData data = gather_report_data(*new_study());
  EXPECT_FALSE(has_history(data));
  EXPECT_THROW(history_chart(data, 0), std::invalid_argument);
  EXPECT_THROW(intermediate_chart(data), std::invalid_argument);
  EXPECT_THROW(parallel_chart(data, 0), std::invalid_argument);
  EXPECT_THROW(pareto_chart(data), std::invalid_argument);
  EXPECT_THROW(importance_chart(ObjectiveImportances{}), std::invalid_argument);
}

TEST(ReportPageTest, ImportanceNeedsTwoCompleteTrialsAndSaysWhy) {
  auto study = new_study();
  Trial t = study->ask();
  t.suggest_float("x", 0, 1);
  study->tell(t, 1.0);
  ReportData data = gather_report_data(*study);
  ASSERT_EQ(data.importances.size(), 1u);
  EXPECT_TRUE(data.importances[0].importances.empty());
  EXPECT_FALSE(data.importances[0].note.empty());
  std::string page = render_report(data);
  EXPECT_EQ(count(page, "data-chart=\"importance\""), 0u);
  EXPECT_NE(page.find("No importances: "), std::string::npos);
  EXPECT_EQ(count(page, "data-chart=\"history\""), 1u);
}

TEST(ChartTest, ImportanceChartHasOneBarPerParam) {
  ObjectiveImportances imp{0, {{"lr", 0.7}, {"a<b", 0.2}, {"layers", 0.1}}, ""};
  std::string svg = importance_chart(imp);
  EXPECT_EQ(count(svg, "class=\"bar\""), 3u);
  EXPECT_NE(svg.find(">a&lt;b<"), std::string::npos);
  EXPECT_NE(svg.find(">0.7<"), std::string::npos);
}

TEST(ReportPageTest, TableCellsShowWholeNumbersInFullAndSortByExactValues) {
  auto study = new_study();
  for (double v : {12345.0, 0.123456789}) {
    Trial t = study->ask();
    t.suggest_int("n", 0, 100000);
    study->tell(t, v);
  }
  std::string table = trials_table(gather_report_data(*study));
  EXPECT_NE(table.find("<td data-sort=\"12345\">12345</td>"), std::string::npos) << table;
  EXPECT_NE(table.find("<td data-sort=\"0.123456789\">0.123457</td>"), std::string::npos);
}

TEST(ReportPageTest, SameDataSameBytes) {
  auto study = mixed_study();
  EXPECT_EQ(render_report(gather_report_data(*study)), render_report(gather_report_data(*study)));
}

}  // namespace
}  // namespace hpo::report
