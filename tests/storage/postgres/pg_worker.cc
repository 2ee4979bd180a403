// A worker process for the PostgreSQL storage tests, on any storage URL: the Optuna round
// trip uses it as hpo's side, and the multi-host tests run it in network namespaces.
//
//   postgres_storage_worker write-sample URL       three studies with every kind of param/state
//   postgres_storage_worker dump URL               every study as JSON on stdout
//   postgres_storage_worker continue URL STUDY N   N more COMPLETE trials after the existing ones
//   postgres_storage_worker enqueue URL STUDY N    creates the study with N WAITING trials (the
//                                                  budget that the workers below share)
//   postgres_storage_worker run URL STUDY SLEEP_MS
//       takes WAITING trials until none is left and none runs anywhere; each sleeps SLEEP_MS.
//       A background thread stamps heartbeats and fails stale trials of any worker (retried
//       through the URL's max_retry). Prints "started <trial_id> <number>" and
//       "completed <trial_id> <number>" (after the COMPLETE state is stored).
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/errors.h"
#include "core/factory.h"
#include "core/storage.h"
#include "storage/sqlite/python_json.h"
#include "storage/sqlite/trial_reader.h"

namespace {

using hpo::FrozenTrial;
using hpo::Storage;
using hpo::StudyDirection;
using hpo::TrialState;

int64_t study_id_of(Storage& storage, const std::string& name,
                    std::vector<StudyDirection> directions = {StudyDirection::kMinimize}) {
  if (auto id = storage.find_study_id(name)) return *id;
  try {
    return storage.create_study(directions, name);
  } catch (const hpo::DuplicatedStudyError&) {
    return *storage.find_study_id(name);  // another process created it first
  }
}

void add_trial(Storage& s, int64_t study, TrialState state,
               const std::vector<std::pair<std::string, std::pair<double, hpo::Distribution>>>& params,
               std::vector<double> values, std::vector<std::pair<int64_t, double>> intermediate = {},
               nlohmann::json user_attrs = nlohmann::json::object()) {
  int64_t id = s.create_trial(study);
  for (const auto& [name, p] : params) s.set_trial_param(id, name, p.first, p.second);
  for (const auto& [step, v] : intermediate) s.set_trial_intermediate_value(id, step, v);
  for (const auto& [key, v] : user_attrs.items()) s.set_trial_user_attr(id, key, v);
  s.set_trial_state_values(id, state, values);
}

int write_sample(const std::string& url) {
  auto storage = hpo::make_storage(url);
  Storage& s = *storage;
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto fx = hpo::make_float_distribution(-5, 5);
  auto flog = hpo::make_float_distribution(1e-5, 1e-1, std::nullopt, true);
  auto fstep = hpo::make_float_distribution(0, 1, 0.25);
  auto ix = hpo::make_int_distribution(1, 10);
  auto ilog = hpo::make_int_distribution(1, 1024, 1, true);
  auto istep = hpo::make_int_distribution(0, 100, 10);
  auto cat = hpo::make_categorical_distribution(
      {std::string("adam"), std::string("sgd"), int64_t{3}, 0.5, true, std::monostate{}});
  auto all = [&](double x, double lr, double f, double i, double il, double is, double c) {
    return std::vector<std::pair<std::string, std::pair<double, hpo::Distribution>>>{
        {"x", {x, fx}}, {"lr", {lr, flog}}, {"frac", {f, fstep}}, {"n", {i, ix}},
        {"units", {il, ilog}}, {"width", {is, istep}}, {"opt", {c, cat}}};
  };

  int64_t a = s.create_study({StudyDirection::kMinimize}, "single-min");
  s.set_study_user_attr(a, "dataset", "mnist");
  s.set_study_user_attr(a, "nested", {{"k", {1, 2.5, "\xc3\xa9t\xc3\xa9"}}, {"none", nullptr}});
  add_trial(s, a, TrialState::kComplete, all(1.5, 1e-3, 0.25, 3, 64, 20, 0), {2.25}, {{0, 5.0}, {1, 3.0}},
            {{"note", "first"}, {"list", {1, 2, 3}}});
  add_trial(s, a, TrialState::kComplete, all(-0.5, 0.01, 0.75, 7, 3, 100, 2), {0.25});
  add_trial(s, a, TrialState::kPruned, all(4.0, 1e-5, 0.0, 1, 1, 0, 4), {7.0},
            {{0, inf}, {1, nan}, {2, 7.0}});
  add_trial(s, a, TrialState::kFail, all(2.0, 0.05, 1.0, 10, 1024, 50, 5), {});
  add_trial(s, a, TrialState::kComplete, all(0.1, 0.002, 0.5, 5, 17, 30, 1), {0.01},
            {}, {{"float", 0.1}, {"big", 1e20}, {"small", 1e-7}});
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  waiting.system_attrs["fixed_params"] = {{"x", 0.5}, {"opt", "sgd"}};
  s.create_trial(a, &waiting);

  int64_t b = s.create_study({StudyDirection::kMaximize}, "single-max");
  add_trial(s, b, TrialState::kComplete, all(1, 0.1, 0, 2, 2, 10, 3), {1.0});
  add_trial(s, b, TrialState::kComplete, all(2, 0.01, 0.5, 4, 8, 40, 1), {4.0});
  add_trial(s, b, TrialState::kComplete, all(-3, 0.0001, 0.25, 9, 300, 90, 0), {-inf});

  int64_t m = s.create_study({StudyDirection::kMinimize, StudyDirection::kMaximize}, "multi");
  add_trial(s, m, TrialState::kComplete, all(1, 0.1, 0, 2, 2, 10, 3), {1.0, 2.0});
  add_trial(s, m, TrialState::kComplete, all(2, 0.01, 0.5, 4, 8, 40, 1), {0.5, 1.0});
  add_trial(s, m, TrialState::kComplete, all(3, 0.001, 0.25, 6, 30, 60, 2), {3.0, 1.5});
  add_trial(s, m, TrialState::kComplete, all(4, 0.002, 0.75, 8, 60, 70, 5), {4.0, inf});
  add_trial(s, m, TrialState::kFail, all(-1, 0.003, 1, 1, 1, 0, 4), {});
  return 0;
}

nlohmann::json trial_json(const FrozenTrial& t) {
  nlohmann::json params = nlohmann::json::object(), dists = nlohmann::json::object();
  for (const auto& [name, v] : t.external_params()) params[name] = hpo::to_json(v);
  for (const auto& [name, d] : t.distributions) dists[name] = hpo::distribution_to_json(d);
  nlohmann::json inter = nlohmann::json::object();
  for (const auto& [step, v] : t.intermediate_values) inter[std::to_string(step)] = v;
  auto when = [](const auto& tp) -> nlohmann::json {
    if (!tp) return nullptr;
    return hpo::sqlite::format_datetime(*tp);
  };
  return {{"number", t.number},
          {"state", std::string(hpo::to_string(t.state))},
          {"params", params},
          {"distributions", dists},
          {"values", t.values.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.values)},
          {"intermediate_values", inter},
          {"user_attrs", t.user_attrs},
          {"system_attrs", t.system_attrs},
          {"datetime_start", when(t.datetime_start)},
          {"datetime_complete", when(t.datetime_complete)}};
}

int dump(const std::string& url) {
  auto storage = hpo::make_storage(url);
  Storage& s = *storage;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& study : s.get_all_studies()) {
    auto directions = study.directions;
    nlohmann::json dirs = nlohmann::json::array();
    for (auto d : directions) dirs.push_back(std::string(hpo::to_string(d)));
    nlohmann::json trials = nlohmann::json::array();
    hpo::Trials all = s.get_all_trials(study.study_id);
    hpo::Trials complete;
    for (const auto& t : all) {
      trials.push_back(trial_json(*t));
      if (t->state == TrialState::kComplete) complete.push_back(t);
    }
    nlohmann::json best = nlohmann::json::array();
    for (const auto& t : complete) {
      bool dominated = false;
      for (const auto& u : complete)
        if (directions.size() > 1 ? hpo::dominates(u->values, t->values, directions)
                                  : (directions[0] == StudyDirection::kMinimize
                                         ? u->values[0] < t->values[0]
                                         : u->values[0] > t->values[0]))
          dominated = true;
      if (!dominated) best.push_back(t->number);
    }
    out[study.study_name] = {{"directions", dirs},
                             {"user_attrs", study.user_attrs},
                             {"trials", trials},
                             {"best_trials", best}};
  }
  std::cout << hpo::sqlite::python_json_dumps(out) << std::endl;
  return 0;
}

int continue_study(const std::string& url, const std::string& name, int n) {
  auto storage = hpo::make_storage(url);
  Storage& s = *storage;
  auto id = s.find_study_id(name);
  if (!id) throw std::runtime_error("no study " + name);
  hpo::Trials history = s.get_all_trials(*id);
  // Reuse the distributions Optuna recorded, so the new trials share the search space.
  hpo::Distributions space;
  for (const auto& t : history) space.insert(t->distributions.begin(), t->distributions.end());
  std::mt19937_64 rng(7);
  for (int i = 0; i < n; ++i) {
    int64_t trial = s.create_trial(*id);
    double value = 0;
    for (const auto& [pname, d] : space) {
      double internal = 0;
      if (auto* f = std::get_if<hpo::FloatDistribution>(&d)) internal = f->low;
      else if (auto* in = std::get_if<hpo::IntDistribution>(&d)) internal = static_cast<double>(in->low);
      s.set_trial_param(trial, pname, internal, d);
      value += internal;
    }
    size_t n_objectives = s.get_study_directions(*id).size();
    s.set_trial_state_values(trial, TrialState::kComplete,
                             std::vector<double>(n_objectives, value + static_cast<double>(i)));
  }
  return 0;
}

int enqueue(const std::string& url, const std::string& name, int n) {
  auto storage = hpo::make_storage(url);
  int64_t study = study_id_of(*storage, name);
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  for (int i = 0; i < n; ++i) storage->create_trial(study, &waiting);
  return 0;
}

int run(const std::string& url, const std::string& name, int sleep_ms) {
  auto storage = hpo::make_storage(url);
  Storage& s = *storage;
  auto study = s.find_study_id(name);
  if (!study) throw std::runtime_error("no study " + name);
  auto fx = hpo::make_float_distribution(-5, 5);

  std::mutex m;
  std::condition_variable cv;
  bool stop = false;
  int64_t current = -1;
  std::thread beat([&] {
    std::unique_lock lock(m);
    while (!stop) {
      try {
        if (current >= 0) s.record_heartbeat(current);
        for (int64_t id : s.fail_stale_trials(*study)) std::cout << "failed " << id << std::endl;
      } catch (const std::exception& e) {
        std::cerr << "heartbeat error: " << e.what() << std::endl;
      }
      cv.wait_for(lock, std::chrono::duration<double>(s.heartbeat_interval_seconds()));
    }
  });
  std::mt19937_64 rng(static_cast<uint64_t>(::getpid()));
  std::uniform_real_distribution<double> u(-5, 5);
  for (;;) {
    std::optional<int64_t> popped = s.pop_waiting_trial(*study);
    if (!popped) {
      // A trial still running elsewhere may yet fail and come back as a retry.
      if (s.get_n_trials(*study, {TrialState::kRunning, TrialState::kWaiting}) == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    int64_t id = *popped;
    {
      std::lock_guard lock(m);
      current = id;
    }
    hpo::TrialPtr t = s.get_trial(id);
    double x = u(rng);
    if (t->system_attrs.contains("fixed_params") && t->system_attrs["fixed_params"].contains("x"))
      x = t->system_attrs["fixed_params"]["x"].get<double>();
    s.set_trial_param(id, "x", x, fx);
    std::cout << "started " << id << " " << t->number << std::endl;
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    s.set_trial_state_values(id, TrialState::kComplete, {x * x});
    std::cout << "completed " << id << " " << t->number << std::endl;
  }
  {
    std::lock_guard lock(m);
    stop = true;
    current = -1;
  }
  cv.notify_all();
  beat.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  try {
    if (a.size() == 2 && a[0] == "write-sample") return write_sample(a[1]);
    if (a.size() == 2 && a[0] == "dump") return dump(a[1]);
    if (a.size() == 4 && a[0] == "continue") return continue_study(a[1], a[2], std::stoi(a[3]));
    if (a.size() == 4 && a[0] == "enqueue") return enqueue(a[1], a[2], std::stoi(a[3]));
    if (a.size() == 4 && a[0] == "run") return run(a[1], a[2], std::stoi(a[3]));
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
  std::cerr << "usage: see the comment at the top of pg_worker.cc" << std::endl;
  return 2;
}
