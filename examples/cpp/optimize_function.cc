// Minimizes a small mixed function with two worker threads, then prints the best trial and
// how much each param mattered (PED-ANOVA importance).
//
// Build it as any outside project would, against an installed hpo:
//   cmake -S examples/cpp -B build-example -DCMAKE_PREFIX_PATH=<install prefix>
//   cmake --build build-example && ./build-example/hpo_example
#include <hpo/hpo.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>

int main() {
  auto study = hpo::Study::create({.study_name = "example"});

  study->optimize(
      [](hpo::Trial& trial) {
        double x = trial.suggest_float("x", -10.0, 10.0);
        double lr = trial.suggest_float("lr", 1e-5, 1e-1, {.log = true});
        int64_t layers = trial.suggest_int("layers", 1, 8);
        auto shape = trial.suggest_categorical<std::string>("shape", {"square", "abs"});
        double distance = shape == "square" ? (x - 2.0) * (x - 2.0) : std::abs(x - 2.0);
        return distance + std::abs(std::log10(lr) + 3.0) + 0.1 * static_cast<double>(layers);
      },
      {.n_trials = 200, .n_jobs = 2});

  auto best = study->best_trial();
  std::cout << "trials: " << study->trials().size() << "\n";
  std::cout << "best value: " << best->value() << " (trial " << best->number << ")\n";
  std::cout << "best params:";
  for (const auto& [name, value] : best->external_params()) {
    std::cout << " " << name << "=" << hpo::to_string(value);
  }
  std::cout << "\n";
  std::cout << "importance:";
  for (const hpo::ParamImportance& p :
       hpo::ped_anova_importances(study->trials(), study->direction())) {
    std::cout << " " << p.name << "=" << p.importance;
  }
  std::cout << "\n";
  return 0;
}
