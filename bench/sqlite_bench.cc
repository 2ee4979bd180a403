// Engine cost per trial through SQLite storage: ask, three suggestions, tell, random sampler.
// BM_SqliteAskTell/trials:N times the last 100 trials of an N-trial study (the first N - 100
// written beforehand), so the figure is the cost per trial at that study size; opening the
// file is not timed. The Optuna counterpart is optuna_sqlite.py; run_sqlite.sh runs both.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>

#include "bench/sqlite_bench_util.h"
#include "core/factory.h"
#include "core/study.h"
#include "storage/sqlite/sqlite_storage.h"

namespace {

constexpr int64_t kTimed = 100;

std::string base_file(int64_t n) {
  std::string path = hpo::bench::bench_dir() + "/prefill-" + std::to_string(n) + ".db";
  if (!std::filesystem::exists(path)) hpo::bench::prefill_study(path, n, 3);
  return path;
}

void BM_SqliteAskTell(benchmark::State& state) {
  const int64_t n_trials = state.range(0);
  const int64_t timed = std::min(n_trials, kTimed);
  const std::string base = base_file(n_trials - timed);
  const std::string work = hpo::bench::bench_dir() + "/hpo-work.db";
  for (auto _ : state) {
    state.PauseTiming();
    hpo::bench::remove_database(work);
    std::filesystem::copy_file(base, work);
    auto storage = std::make_shared<hpo::SqliteStorage>(work);
    auto study = hpo::Study::load("bench", storage, hpo::make_sampler("random", {{"seed", 1}}),
                                  hpo::make_pruner("nop"));
    state.ResumeTiming();
    for (int64_t i = 0; i < timed; ++i) {
      hpo::Trial trial = study->ask();
      double x = trial.suggest_float("x", -10.0, 10.0);
      double lr = trial.suggest_float("lr", 1e-5, 1e-1, {.log = true});
      int64_t n = trial.suggest_int("n", 1, 8);
      study->tell(trial, x * x + lr + static_cast<double>(n));
    }
    state.PauseTiming();
    if (study->trials().size() != static_cast<size_t>(n_trials))
      state.SkipWithError("wrong number of trials");
    study.reset();
    storage.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * timed);
}

BENCHMARK(BM_SqliteAskTell)->ArgName("trials")->Arg(100)->Arg(1000)->Arg(5000)
    ->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
