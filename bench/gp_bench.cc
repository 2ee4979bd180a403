// GP suggestion time at 100 / 300 / 1,000 trials and 5 / 10 / 20 dimensions, through the real
// Study: BM_GpSuggest is the ask + tell of one trial with refits as the sampler schedules them;
// BM_GpSuggestRefitEveryTrial refits the hyperparameters on all observations on every trial
// (Optuna's recipe). Then where the time goes, part by part: a hyperparameter fit on all n
// (warm-started, as between trials), a full Cholesky factorization, the incremental append of
// one observation, and the acquisition maximization (2,048 candidates + 10 L-BFGS-B runs;
// candidates alone).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "core/study.h"
#include "samplers/gp/acquisition.h"
#include "samplers/gp/gp_sampler.h"
#include "samplers/random_sampler.h"
#include "samplers/gp/gaussian_process.h"

namespace {

struct Data {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  std::vector<bool> cat;
  hpo::KernelParams params;
};

// A smooth function of the inputs plus noise, standardized, with fitted hyperparameters.
Data make_data(int n, int d) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.01);
  Data data{Eigen::MatrixXd(n, d), Eigen::VectorXd(n), std::vector<bool>(d, false),
            hpo::KernelParams::initial(d)};
  for (int i = 0; i < n; ++i) {
    double v = 0.0;
    for (int k = 0; k < d; ++k) {
      data.x(i, k) = u(rng);
      v += std::sin(3.0 * data.x(i, k) + k) / (1.0 + k);
    }
    data.y[i] = v + noise(rng);
  }
  data.y = ((data.y.array() - data.y.mean()) /
            std::sqrt((data.y.array() - data.y.mean()).square().mean())).matrix();
  hpo::FitOptions fit;
  fit.max_iterations = 50;
  data.params = hpo::fit_kernel_params(data.x.topRows(std::min(n, 200)),
                                       data.y.head(std::min(n, 200)), data.cat, data.params, fit);
  return data;
}

void args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "dims"});
  for (int n : {100, 300, 1000})
    for (int d : {5, 10, 20}) b->Args({n, d});
  b->Unit(benchmark::kMillisecond);
}

double sum_of_sines(hpo::Trial& t, int dims) {
  double v = 0.0;
  for (int k = 0; k < dims; ++k) {
    v += std::sin(3.0 * t.suggest_float("x" + std::to_string(k), 0.0, 1.0) + k) / (1.0 + k);
  }
  return v;
}

// A study of n random trials, then continued with the GP sampler; one warm-up suggestion
// (the first fit) before timing.
void run_suggest(benchmark::State& state, hpo::GpSamplerOptions options) {
  const int n = static_cast<int>(state.range(0)), dims = static_cast<int>(state.range(1));
  hpo::CreateStudyOptions fill;
  fill.sampler = std::make_shared<hpo::RandomSampler>(hpo::RandomSamplerOptions{1});
  fill.study_name = "gp-bench";
  auto filled = hpo::Study::create(fill);
  for (int i = 0; i < n; ++i) {
    hpo::Trial t = filled->ask();
    filled->tell(t, sum_of_sines(t, dims));
  }
  hpo::CreateStudyOptions o;
  o.storage = filled->shared_storage();
  o.study_name = "gp-bench";
  o.load_if_exists = true;
  options.seed = 1;
  options.n_startup_trials = 0;
  o.sampler = std::make_shared<hpo::GpSampler>(options);
  auto study = hpo::Study::create(o);
  hpo::Trial warm = study->ask();
  study->tell(warm, sum_of_sines(warm, dims));
  for (auto _ : state) {
    hpo::Trial t = study->ask();
    study->tell(t, sum_of_sines(t, dims));
  }
}

void BM_GpSuggest(benchmark::State& state) { run_suggest(state, {}); }
BENCHMARK(BM_GpSuggest)->Apply(args)->Iterations(20);

void BM_GpSuggestRefitEveryTrial(benchmark::State& state) {
  hpo::GpSamplerOptions o;
  o.refit_every_trial_until = 1 << 30;
  o.max_fit_points = 1 << 30;  // all observations, every trial: Optuna's recipe
  run_suggest(state, o);
}
BENCHMARK(BM_GpSuggestRefitEveryTrial)->Apply(args)->Iterations(3);

void BM_GpFitWarm(benchmark::State& state) {
  const Data data = make_data(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(hpo::fit_kernel_params(data.x, data.y, data.cat, data.params));
  }
}
BENCHMARK(BM_GpFitWarm)->Apply(args)->Iterations(3);

void BM_GpFactorize(benchmark::State& state) {
  const Data data = make_data(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    hpo::GaussianProcess gp(data.x, data.y, data.cat, data.params);
    benchmark::DoNotOptimize(gp);
  }
}
BENCHMARK(BM_GpFactorize)->Apply(args);

void BM_GpAppendOne(benchmark::State& state) {
  const Data data = make_data(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const Eigen::Index n = data.x.rows();
  const hpo::GaussianProcess base(data.x.topRows(n - 1), data.y.head(n - 1), data.cat,
                                  data.params);
  for (auto _ : state) {
    state.PauseTiming();
    hpo::GaussianProcess gp = base;
    state.ResumeTiming();
    gp.append(data.x.bottomRows(1), data.y.tail(1));
    gp.set_targets(data.y);
    benchmark::DoNotOptimize(gp);
  }
}
BENCHMARK(BM_GpAppendOne)->Apply(args);

void BM_GpAcquisition(benchmark::State& state) {
  const Data data = make_data(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const hpo::GaussianProcess gp(data.x, data.y, data.cat, data.params);
  Eigen::Index best_i;
  const double best = data.y.maxCoeff(&best_i);
  const std::vector<int> n_choices(data.x.cols(), 0);
  uint64_t seed = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        hpo::maximize_log_ei(gp, best, n_choices, {data.x.row(best_i).transpose()}, ++seed));
  }
}
BENCHMARK(BM_GpAcquisition)->Apply(args);

// The candidate scoring alone (no local search).
void BM_GpAcquisitionCandidates(benchmark::State& state) {
  const Data data = make_data(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const hpo::GaussianProcess gp(data.x, data.y, data.cat, data.params);
  const std::vector<int> n_choices(data.x.cols(), 0);
  hpo::AcquisitionOptions options;
  options.n_local_search = 0;
  uint64_t seed = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        hpo::maximize_log_ei(gp, data.y.maxCoeff(), n_choices, {}, ++seed, options));
  }
}
BENCHMARK(BM_GpAcquisitionCandidates)->Apply(args);

}  // namespace

BENCHMARK_MAIN();
