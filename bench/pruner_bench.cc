// Cost of one report + should_prune in a study whose history is 1,000 finished trials of 100
// steps each, per pruner, in memory (CPU time) and, for the median pruner, through SQLite
// (wall time: the commits wait on the disk). Each timed iteration is one new trial reporting steps
// 0..99 and asking should_prune() after each (whatever the answer, so every iteration makes
// 100 calls); ask and tell are not timed, nor is one warm-up trial before them. The Optuna counterpart is optuna_pruners.py;
// run_pruners.sh runs both.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/factory.h"
#include "core/study.h"

namespace {

constexpr int64_t kSteps = 100;

// The history's learning curves, the same as optuna_pruners.py's.
double curve(int64_t trial, int64_t step) {
  return static_cast<double>((trial * 7919) % 1000) / 1000.0 + 1.0 / static_cast<double>(step + 1);
}

std::shared_ptr<hpo::Study> make_history(const std::string& pruner, const nlohmann::json& options,
                                         int64_t n_trials, const std::string& storage_url) {
  hpo::CreateStudyOptions o;
  o.storage = hpo::make_storage(storage_url);
  o.sampler = hpo::make_sampler("random", {{"seed", 1}});
  o.pruner = hpo::make_pruner(pruner, options);
  o.study_name = "bench";
  auto study = hpo::Study::create(o);
  for (int64_t i = 0; i < n_trials; ++i) {
    hpo::FrozenTrial t;
    t.state = hpo::TrialState::kComplete;
    for (int64_t s = 0; s < kSteps; ++s) t.intermediate_values[s] = curve(i, s);
    t.values = {curve(i, kSteps - 1)};
    // Successive halving's rungs (min_resource 1, reduction factor 4): steps 1, 4, 16, 64.
    int rung = 0;
    for (int64_t s = 1; s < kSteps; s *= 4) t.system_attrs["completed_rung_" + std::to_string(rung++)] = curve(i, s);
    t.datetime_start = hpo::Clock::now();
    t.datetime_complete = t.datetime_start;
    study->add_trial(t);
  }
  return study;
}

// A fresh SQLite file in the temporary directory, removed when the benchmark ends.
class TempDatabase {
 public:
  TempDatabase()
      : path_(std::filesystem::temp_directory_path() /
              ("hpo_bench_pruners_" + std::to_string(::getpid()) + ".db")) {
    remove();
  }
  ~TempDatabase() { remove(); }
  std::string url() const { return "sqlite:///" + path_.string(); }

 private:
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(path_.string() + suffix);
  }
  std::filesystem::path path_;
};

void report_should_prune(benchmark::State& state, const std::string& pruner,
                         const nlohmann::json& options, const std::string& storage_url = "") {
  auto study = make_history(pruner, options, state.range(0), storage_url);
  int64_t pruned = 0;
  // One untimed trial first: pruners absorb the history the first time they see it (in a
  // study that grows trial by trial, that work is spread over its completions).
  {
    hpo::Trial trial = study->ask();
    for (int64_t s = 0; s < kSteps; ++s) {
      trial.report(0.5 + 1.0 / static_cast<double>(s + 1), s);
      pruned += trial.should_prune() ? 1 : 0;
    }
    study->tell(trial, hpo::TrialState::kPruned);
  }
  for (auto _ : state) {
    state.PauseTiming();
    hpo::Trial trial = study->ask();
    state.ResumeTiming();
    for (int64_t s = 0; s < kSteps; ++s) {
      trial.report(0.5 + 1.0 / static_cast<double>(s + 1), s);
      pruned += trial.should_prune() ? 1 : 0;
    }
    state.PauseTiming();
    study->tell(trial, hpo::TrialState::kPruned);
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(pruned);
  // items/s is calls/s; run_pruners.sh turns it into microseconds per call.
  state.SetItemsProcessed(state.iterations() * kSteps);
}

void BM_Median(benchmark::State& s) { report_should_prune(s, "median", {}); }
void BM_Percentile25(benchmark::State& s) {
  report_should_prune(s, "percentile", {{"percentile", 25.0}});
}
void BM_SuccessiveHalving(benchmark::State& s) {
  report_should_prune(s, "successive_halving", {{"min_resource", 1}});
}
void BM_Hyperband(benchmark::State& s) {
  report_should_prune(s, "hyperband", {{"max_resource", kSteps}});
}
void BM_Threshold(benchmark::State& s) { report_should_prune(s, "threshold", {{"upper", 10.0}}); }
void BM_PatientMedian(benchmark::State& s) {
  report_should_prune(s, "patient",
                      {{"patience", 3}, {"wrapped_pruner", {{"name", "median"}}}});
}
void BM_Nop(benchmark::State& s) { report_should_prune(s, "nop", {}); }
void BM_MedianSqlite(benchmark::State& s) {
  TempDatabase db;
  report_should_prune(s, "median", {}, db.url());
}

// 20 new trials per run, so the history stays at about 1,000 trials.
#define HPO_PRUNER_BENCH(fn) \
  BENCHMARK(fn)->ArgName("trials")->Arg(1000)->Iterations(20)->Unit(benchmark::kMicrosecond)
HPO_PRUNER_BENCH(BM_Median);
HPO_PRUNER_BENCH(BM_Percentile25);
HPO_PRUNER_BENCH(BM_SuccessiveHalving);
HPO_PRUNER_BENCH(BM_Hyperband);
HPO_PRUNER_BENCH(BM_Threshold);
HPO_PRUNER_BENCH(BM_PatientMedian);
HPO_PRUNER_BENCH(BM_Nop);
HPO_PRUNER_BENCH(BM_MedianSqlite)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
