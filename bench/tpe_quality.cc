// TPE optimization quality on standard test functions: the best value found after 100 and after
// N trials, one run per seed. The functions are those of tpe_quality_functions.py (the Optuna
// side); run_tpe_quality.sh runs both and tpe_quality_report.py compares them.
//
// Usage: bench_tpe_quality CONFIG FUNCTION N_SEEDS N_TRIALS
//   CONFIG: "optuna31" (multivariate=false, constant_liar=false, normalized_kernels=false:
//           Optuna 3.1's TPESampler()), "multivariate" (the same with multivariate=true: 3.1's
//           TPESampler(multivariate=True)), "default" (hpo's defaults: multivariate, constant
//           liar, normalized kernels), "univariate_normalized" (3.1's options with normalized
//           kernels) or "default_unnormalized" (hpo's defaults with 3.1's kernels). Prints the
//           same JSON as the Python side.
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/study.h"
#include "samplers/tpe/tpe_sampler.h"

namespace {

using Function = std::function<double(hpo::Trial&)>;

double branin(hpo::Trial& t) {
  const double x1 = t.suggest_float("x0", -5.0, 10.0);
  const double x2 = t.suggest_float("x1", 0.0, 15.0);
  const double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi;
  return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - 1 / (8 * pi)) * std::cos(x1) + 10;
}

double hartmann6(hpo::Trial& t) {
  static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
  static const double p[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                 {2329, 4135, 8307, 3736, 1004, 9991},
                                 {2348, 1451, 3522, 2883, 3047, 6650},
                                 {4047, 8828, 8732, 5743, 1091, 381}};
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  double x[6];
  for (int i = 0; i < 6; ++i) x[i] = t.suggest_float("x" + std::to_string(i), 0.0, 1.0);
  double total = 0.0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0.0;
    for (int j = 0; j < 6; ++j) inner += a[i][j] * std::pow(x[j] - 1e-4 * p[i][j], 2);
    total += alpha[i] * std::exp(-inner);
  }
  return -total;
}

std::vector<double> floats(hpo::Trial& t, int n, double low, double high) {
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[i] = t.suggest_float("x" + std::to_string(i), low, high);
  return x;
}

double rosenbrock5(hpo::Trial& t) {
  const std::vector<double> x = floats(t, 5, -5.0, 10.0);
  double s = 0.0;
  for (int i = 0; i < 4; ++i) s += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  return s;
}

double ackley10(hpo::Trial& t) {
  const std::vector<double> x = floats(t, 10, -32.768, 32.768);
  double s1 = 0.0, s2 = 0.0;
  for (double v : x) {
    s1 += v * v;
    s2 += std::cos(2 * std::numbers::pi * v);
  }
  s1 /= 10;
  s2 /= 10;
  return -20 * std::exp(-0.2 * std::sqrt(s1)) - std::exp(s2) + 20 + std::numbers::e;
}

double styblinski_tang10(hpo::Trial& t) {
  const std::vector<double> x = floats(t, 10, -5.0, 5.0);
  double s = 0.0;
  for (double v : x) s += std::pow(v, 4) - 16 * v * v + 5 * v;
  return s / 2;
}

double mixed(hpo::Trial& t) {
  static const std::map<std::string, double> cost = {
      {"a", 0.0}, {"b", 3.0}, {"c", 1.0}, {"d", 4.0}, {"e", 2.0}};
  const double x0 = t.suggest_float("x0", -5.0, 5.0);
  const double x1 = t.suggest_float("x1", -5.0, 5.0);
  const int64_t n = t.suggest_int("n", 0, 20);
  const int64_t k = t.suggest_int("k", 1, 1000, {.step = 1, .log = true});
  const std::string c = t.suggest_categorical<std::string>("c", {"a", "b", "c", "d", "e"});
  return std::pow(x0 - 1, 2) + std::pow(x1 + 2, 2) + std::pow(static_cast<double>(n) - 13, 2) / 4.0 +
         std::pow(std::log10(static_cast<double>(k)) - 2, 2) + cost.at(c);
}

const std::map<std::string, Function>& functions() {
  static const std::map<std::string, Function> f = {
      {"branin", branin},       {"hartmann6", hartmann6},
      {"rosenbrock5", rosenbrock5}, {"ackley10", ackley10},
      {"styblinski_tang10", styblinski_tang10}, {"mixed", mixed}};
  return f;
}

double best_after(const hpo::Trials& trials, size_t n) {
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < trials.size() && i < n; ++i) best = std::min(best, trials[i]->value());
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: bench_tpe_quality "
                 "optuna31|multivariate|default|univariate_normalized|default_unnormalized FUNCTION "
                 "N_SEEDS N_TRIALS\n";
    return 2;
  }
  const std::string config = argv[1], name = argv[2];
  const int n_seeds = std::stoi(argv[3]);
  const int n_trials = std::stoi(argv[4]);
  if (config != "optuna31" && config != "multivariate" && config != "default" &&
      config != "univariate_normalized" && config != "default_unnormalized") {
    std::cerr << "unknown config " << config << "\n";
    return 2;
  }
  const Function& f = functions().at(name);
  nlohmann::json out = {{"function", name}, {"config", config}};
  std::vector<double> at100, at_n;
  for (int seed = 0; seed < n_seeds; ++seed) {
    hpo::TpeSamplerOptions options;
    options.seed = static_cast<uint64_t>(seed);
    if (config == "optuna31" || config == "univariate_normalized") {
      options.multivariate = false;
      options.constant_liar = false;
    } else if (config == "multivariate") {
      options.multivariate = true;
      options.constant_liar = false;
    }
    options.normalized_kernels = config == "default" || config == "univariate_normalized";
    hpo::CreateStudyOptions create;
    create.sampler = std::make_shared<hpo::TpeSampler>(options);
    auto study = hpo::Study::create(std::move(create));
    hpo::OptimizeOptions run;
    run.n_trials = n_trials;
    study->optimize(f, run);
    const hpo::Trials trials = study->trials();
    at100.push_back(best_after(trials, 100));
    at_n.push_back(best_after(trials, static_cast<size_t>(n_trials)));
  }
  out["best"]["100"] = at100;
  out["best"][std::to_string(n_trials)] = at_n;
  std::cout << out.dump() << "\n";
  return 0;
}
