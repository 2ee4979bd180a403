// ParzenEstimator::log_pdf alone, as multivariate TPE scores its candidates: 24 samples drawn
// from the "below" estimator (the 25 best of N random trials) against the "above" one (the other
// N - 25 kernels and the prior), in tpe_bench's 13-parameter space (8 floats, 2 log floats, 2
// ints, 1 categorical of 4 choices) in the estimator's transformed space.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/tpe_sampler.h"

namespace {

using hpo::tpe::DimensionKind;
using hpo::tpe::ParzenDimension;

std::vector<ParzenDimension> space() {
  std::vector<ParzenDimension> dims(13);
  for (int j = 0; j < 8; ++j) {
    dims[j].low = -5.0;
    dims[j].high = 5.0;
  }
  dims[8].low = std::log(1e-5);
  dims[8].high = std::log(1e-1);
  dims[9].low = std::log(1e-6);
  dims[9].high = std::log(1e-2);
  dims[10] = {DimensionKind::kDiscrete, 0.5, 8.5, 1.0, 0};
  dims[11] = {DimensionKind::kDiscrete, 15.5, 512.5, 1.0, 0};
  dims[12].kind = DimensionKind::kCategorical;
  dims[12].n_choices = 4;
  return dims;
}

double objective(const Eigen::RowVectorXd& x) {
  double v = 0.0;
  for (int j = 0; j < 8; ++j) v += std::pow(x(j) - 0.5, 2);
  v += std::pow(x(8) / std::log(10.0) + 3, 2) + std::pow(x(9) / std::log(10.0) + 4, 2);
  v += std::pow(x(10) - 3, 2) + std::pow((x(11) - 128) / 64.0, 2);
  return v + x(12);
}

// Estimators of the sampler's: "above" over the worse N - 25 trials (chronological weights),
// "below" over the best 25; `samples` are 24 draws from below, rounded to the grids.
struct Setup {
  hpo::tpe::ParzenEstimator above;
  Eigen::MatrixXd samples;
};

Setup make_setup(int n_trials) {
  const std::vector<ParzenDimension> dims = space();
  const int d = static_cast<int>(dims.size());
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd all(n_trials, d);
  for (int r = 0; r < n_trials; ++r) {
    for (int j = 0; j < d; ++j) {
      const ParzenDimension& dim = dims[j];
      if (dim.kind == DimensionKind::kCategorical) {
        all(r, j) = std::floor(dim.n_choices * u(rng));
      } else if (dim.kind == DimensionKind::kDiscrete) {
        all(r, j) = dim.low + dim.step * (0.5 + std::floor(u(rng) * (dim.high - dim.low)));
      } else {
        all(r, j) = dim.low + (dim.high - dim.low) * u(rng);
      }
    }
  }
  std::vector<int> order(n_trials);
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> values(n_trials);
  for (int r = 0; r < n_trials; ++r) values[r] = objective(all.row(r));
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return values[a] < values[b]; });
  const int n_below = hpo::tpe_default_gamma(n_trials);
  std::vector<int> below_rows(order.begin(), order.begin() + n_below);
  std::vector<int> above_rows(order.begin() + n_below, order.end());
  std::sort(above_rows.begin(), above_rows.end());  // chronological
  auto gather = [&](const std::vector<int>& rows, Eigen::MatrixXd& obs, Eigen::VectorXd& w) {
    const int n = static_cast<int>(rows.size());
    obs.resize(n, d);
    for (int r = 0; r < n; ++r) obs.row(r) = all.row(rows[r]);
    const std::vector<double> weights = hpo::tpe_default_weights(n);
    w = Eigen::Map<const Eigen::VectorXd>(weights.data(), n);
  };
  hpo::tpe::ParzenEstimatorOptions options;
  options.multivariate = true;
  Eigen::MatrixXd obs;
  Eigen::VectorXd w;
  gather(below_rows, obs, w);
  const hpo::tpe::ParzenEstimator below(dims, obs, w, options);
  Eigen::MatrixXd samples;
  below.sample(rng, 24, samples);
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    for (int j : {10, 11}) samples(i, j) = std::round(samples(i, j));
  }
  gather(above_rows, obs, w);
  return {hpo::tpe::ParzenEstimator(dims, obs, w, options), samples};
}

void BM_ParzenLogPdf(benchmark::State& state) {
  const Setup setup = make_setup(static_cast<int>(state.range(0)));
  Eigen::VectorXd out;
  for (auto _ : state) {
    setup.above.log_pdf(setup.samples, out);
    benchmark::DoNotOptimize(out.data());
  }
  const double pairs = static_cast<double>(setup.above.n_kernels()) * setup.samples.rows();
  state.counters["ns_per_pair"] =
      benchmark::Counter(pairs, benchmark::Counter::kIsIterationInvariantRate |
                                    benchmark::Counter::kInvert);
}

BENCHMARK(BM_ParzenLogPdf)
    ->ArgName("trials")->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
