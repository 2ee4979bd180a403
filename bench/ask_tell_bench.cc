// Engine cost per trial: ask, three suggestions, tell, with the random sampler and in-memory
// storage, for studies of 100, 1,000 and 10,000 trials. The objective does no work, so what is
// timed is hpo alone. The Optuna counterpart is optuna_ask_tell.py; run_ask_tell.sh runs both.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "core/factory.h"
#include "core/study.h"

namespace {

void BM_RandomAskTell(benchmark::State& state) {
  const int64_t n_trials = state.range(0);
  for (auto _ : state) {
    auto study = hpo::Study::create({.sampler = hpo::make_sampler("random", {{"seed", 1}}),
                                     .pruner = hpo::make_pruner("nop")});
    for (int64_t i = 0; i < n_trials; ++i) {
      hpo::Trial trial = study->ask();
      double x = trial.suggest_float("x", -10.0, 10.0);
      double lr = trial.suggest_float("lr", 1e-5, 1e-1, {.log = true});
      int64_t n = trial.suggest_int("n", 1, 8);
      study->tell(trial, x * x + lr + static_cast<double>(n));
    }
    benchmark::DoNotOptimize(study);
  }
  // items/s is trials/s; the script turns it into microseconds per trial.
  state.SetItemsProcessed(state.iterations() * n_trials);
}

BENCHMARK(BM_RandomAskTell)->ArgName("trials")->Arg(100)->Arg(1000)->Arg(10000)
    ->Unit(benchmark::kMillisecond)->MinTime(0.5);

}  // namespace

BENCHMARK_MAIN();
