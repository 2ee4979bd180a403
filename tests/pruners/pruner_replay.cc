// Replays a scripted study for the pruner differential test (test_pruners_vs_optuna.py):
// reads a scenario as JSON on stdin, runs it through the real Study, in-memory storage and
// the factory's pruner, and prints what happened to each trial as JSON on stdout.
//
// Scenario: {"study_name": s, "direction": "minimize"|"maximize",
//            "pruner": {"name": n, "options": {...}}, "parallel": k,
//            "trials": [{"curve": [[step, value|null], ...], "value": v}, ...]}
// null stands for NaN (JSON has no NaN). Trials run in groups of k asked together; within a
// group, each live trial in turn reports its next step and asks should_prune().
//
// Output: {"trials": [{"number": n, "state": "COMPLETE"|"PRUNED", "pruned_step": s|null,
//                      "rungs": {"completed_rung_0": v, ...}}, ...]}
#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/factory.h"
#include "core/study.h"

namespace {

using nlohmann::json;

double from_json_value(const json& v) {
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

json run(const json& scenario) {
  hpo::CreateStudyOptions options;
  options.study_name = scenario.at("study_name").get<std::string>();
  options.directions = {hpo::study_direction_from_string(scenario.at("direction").get<std::string>())};
  const json& spec = scenario.at("pruner");
  options.pruner = hpo::make_pruner(spec.at("name").get<std::string>(),
                                    spec.value("options", json::object()));
  options.sampler = hpo::make_sampler("random", {{"seed", 0}});
  auto study = hpo::Study::create(options);

  const json& trials = scenario.at("trials");
  const size_t parallel = scenario.value("parallel", size_t{1});
  std::vector<json> results(trials.size());
  for (size_t first = 0; first < trials.size(); first += parallel) {
    const size_t last = std::min(trials.size(), first + parallel);
    struct Live {
      size_t index;
      hpo::Trial trial;
      size_t next = 0;  // the next point of the curve to report
      bool done = false;
    };
    std::vector<Live> group;
    for (size_t i = first; i < last; ++i) group.push_back({i, study->ask()});
    for (bool any = true; any;) {
      any = false;
      for (Live& live : group) {
        if (live.done) continue;
        const json& t = trials[live.index];
        const json& curve = t.at("curve");
        json& result = results[live.index];
        result["number"] = live.trial.number();
        if (live.next == curve.size()) {
          study->tell(live.trial, t.at("value").get<double>());
          result["state"] = "COMPLETE";
          result["pruned_step"] = nullptr;
          live.done = true;
          continue;
        }
        any = true;
        const json& point = curve[live.next++];
        const auto step = point.at(0).get<int64_t>();
        live.trial.report(from_json_value(point.at(1)), step);
        if (live.trial.should_prune()) {
          study->tell(live.trial, hpo::TrialState::kPruned);
          result["state"] = "PRUNED";
          result["pruned_step"] = step;
          live.done = true;
        }
      }
    }
  }
  json out = json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    json rungs = json::object();
    const hpo::TrialPtr stored = study->trials().at(results[i].at("number").get<size_t>());
    for (const auto& [key, value] : stored->system_attrs.items())
      if (key.rfind("completed_rung_", 0) == 0) rungs[key] = value;
    results[i]["rungs"] = rungs;
    out.push_back(results[i]);
  }
  return json{{"trials", out}};
}

}  // namespace

int main() {
  try {
    json scenario = json::parse(std::cin);
    std::cout << run(scenario).dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pruner_replay: " << e.what() << "\n";
    return 1;
  }
}
