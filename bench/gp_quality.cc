// Optimization quality: the best value found after N trials on the standard test functions,
// over many seeds, for the named hpo samplers. Prints JSON
// {"sampler": {"function": [best value per seed, ...]}}; bench/run_gp_quality.sh runs it with
// Optuna 3.1's TPE (bench/optuna_quality.py) and tabulates medians.
//
// Usage: bench_gp_quality <n_trials> <n_seeds> <sampler>[,<sampler>...]
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/test_functions.h"
#include "core/factory.h"
#include "core/study.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <n_trials> <n_seeds> <sampler>[,<sampler>...]\n", argv[0]);
    return 2;
  }
  const int n_trials = std::atoi(argv[1]);
  const int n_seeds = std::atoi(argv[2]);
  std::vector<std::string> samplers;
  std::stringstream list(argv[3]);
  for (std::string s; std::getline(list, s, ',');) samplers.push_back(s);

  nlohmann::json out = nlohmann::json::object();
  for (const std::string& sampler : samplers) {
    for (const hpo::bench::TestFunction& fn : hpo::bench::test_functions()) {
      std::vector<double> best;
      for (int seed = 0; seed < n_seeds; ++seed) {
        hpo::CreateStudyOptions o;
        o.sampler = hpo::make_sampler(sampler, {{"seed", seed}});
        auto study = hpo::Study::create(o);
        study->optimize(
            [&fn](hpo::Trial& t) {
              std::vector<double> x(fn.dims);
              for (int k = 0; k < fn.dims; ++k) {
                double lo = fn.low, hi = fn.high;
                if (fn.name == "branin") lo = k == 0 ? -5 : 0, hi = k == 0 ? 10 : 15;
                x[k] = t.suggest_float("x" + std::to_string(k), lo, hi);
              }
              return fn.f(x);
            },
            {.n_trials = n_trials});
        best.push_back(study->best_value());
      }
      out[sampler][fn.name] = best;
      std::fprintf(stderr, "%s %s done\n", sampler.c_str(), fn.name.c_str());
    }
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
