// TPE cost per ask in a 13-parameter mixed space (8 floats, 2 log floats, 2 ints, 1 categorical)
// with N completed trials. The study is filled with random completed trials and asked once
// (untimed); each timed step is ask + the 13 suggestions, and the trial is told FAIL so that the
// sampler keeps seeing N trials. The Optuna counterpart is optuna_tpe_ask.py; run_tpe_ask.sh runs
// both.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/distribution.h"
#include "core/study.h"
#include "samplers/random_sampler.h"
#include "samplers/tpe/tpe_sampler.h"

namespace {

const std::vector<std::string> kChoices = {"adam", "sgd", "rmsprop", "adagrad"};

hpo::Distributions space() {
  hpo::Distributions d;
  for (int i = 0; i < 8; ++i) d["x" + std::to_string(i)] = hpo::make_float_distribution(-5, 5);
  d["lr"] = hpo::make_float_distribution(1e-5, 1e-1, {}, true);
  d["wd"] = hpo::make_float_distribution(1e-6, 1e-2, {}, true);
  d["layers"] = hpo::make_int_distribution(1, 8);
  d["units"] = hpo::make_int_distribution(16, 512);
  d["optimizer"] = hpo::make_categorical_distribution({kChoices.begin(), kChoices.end()});
  return d;
}

double objective_value(const hpo::InternalParams& p) {
  double v = 0.0;
  for (int i = 0; i < 8; ++i) v += std::pow(p.at("x" + std::to_string(i)) - 0.5, 2);
  v += std::pow(std::log10(p.at("lr")) + 3, 2) + std::pow(std::log10(p.at("wd")) + 4, 2);
  v += std::pow(p.at("layers") - 3, 2) + std::pow((p.at("units") - 128) / 64.0, 2);
  return v + p.at("optimizer");
}

void suggest_all(hpo::Trial& trial) {
  for (int i = 0; i < 8; ++i) trial.suggest_float("x" + std::to_string(i), -5.0, 5.0);
  trial.suggest_float("lr", 1e-5, 1e-1, {.step = std::nullopt, .log = true});
  trial.suggest_float("wd", 1e-6, 1e-2, {.step = std::nullopt, .log = true});
  trial.suggest_int("layers", 1, 8);
  trial.suggest_int("units", 16, 512);
  trial.suggest_categorical<std::string>("optimizer", kChoices);
}

std::shared_ptr<hpo::Study> filled_study(int64_t n, bool multivariate) {
  hpo::TpeSamplerOptions options;
  options.seed = 1;
  options.multivariate = multivariate;
  options.constant_liar = multivariate;  // "default" = 3.1's defaults, "multivariate" = hpo's
  hpo::CreateStudyOptions create;
  create.sampler = std::make_shared<hpo::TpeSampler>(options);
  auto study = hpo::Study::create(std::move(create));
  const hpo::Distributions dists = space();
  std::mt19937_64 rng(1);
  for (int64_t i = 0; i < n; ++i) {
    hpo::FrozenTrial t;
    t.state = hpo::TrialState::kComplete;
    t.distributions = dists;
    for (const auto& [name, d] : dists) {
      t.params[name] = hpo::sample_internal_uniform(d, rng);
    }
    t.values = {objective_value(t.params)};
    study->add_trial(t);
  }
  return study;
}

// growing = false tells each ask FAIL, so every ask sees the same N trials (as Optuna's
// counterpart does). growing = true tells it COMPLETE with its objective value, so the study
// grows from N as a real one does: a check that nothing in the sampler depends on seeing the
// very same trials on every ask.
void BM_TpeAsk(benchmark::State& state, bool multivariate, bool growing) {
  auto study = filled_study(state.range(0), multivariate);
  // One untimed ask first: the sampler's first read of the N trials (which a real study spreads
  // over its asks) is not part of the steady per-ask cost.
  {
    hpo::Trial trial = study->ask();
    suggest_all(trial);
    study->tell(trial, hpo::TrialState::kFail);
  }
  for (auto _ : state) {
    hpo::Trial trial = study->ask();
    suggest_all(trial);
    state.PauseTiming();
    if (growing) {
      study->tell(trial, objective_value(trial.snapshot().params));
    } else {
      study->tell(trial, hpo::TrialState::kFail);
    }
    state.ResumeTiming();
  }
}

BENCHMARK_CAPTURE(BM_TpeAsk, default, false, false)
    ->ArgName("trials")->Arg(100)->Arg(1000)->Arg(5000)->Arg(10000)
    ->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK_CAPTURE(BM_TpeAsk, multivariate, true, false)
    ->ArgName("trials")->Arg(100)->Arg(1000)->Arg(5000)->Arg(10000)
    ->Unit(benchmark::kMillisecond)->MinTime(1.0);
// 100 asks: the study grows from 1,000 to 1,100 trials (10,000 to 10,100).
BENCHMARK_CAPTURE(BM_TpeAsk, default_growing, false, true)
    ->ArgName("trials")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(100);
BENCHMARK_CAPTURE(BM_TpeAsk, multivariate_growing, true, true)
    ->ArgName("trials")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(100);

}  // namespace

BENCHMARK_MAIN();
