// One benchmark worker process on a shared study database: opens the study, waits until the
// wall-clock time START_AT (seconds since the epoch; all workers start together, start-up
// excluded), runs N_TRIALS trials of the random sampler (three suggestions, an objective that
// does no work) through Study::optimize, and prints its end time.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "core/factory.h"
#include "core/study.h"

namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: bench_storage_worker URL STUDY N_TRIALS START_AT" << std::endl;
    return 2;
  }
  try {
    hpo::CreateStudyOptions options;
    options.storage = hpo::make_storage(argv[1]);
    options.study_name = argv[2];
    options.load_if_exists = true;
    auto study = hpo::Study::create(options);
    hpo::OptimizeOptions run;
    run.n_trials = std::stoll(argv[3]);
    double start_at = std::stod(argv[4]);
    while (wall_seconds() < start_at) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    study->optimize(
        [](hpo::Trial& t) {
          double x = t.suggest_float("x", -5, 5);
          double lr = t.suggest_float("lr", 1e-5, 1e-1, {.step = std::nullopt, .log = true});
          int64_t n = t.suggest_int("n", 1, 10);
          return x * x + lr + static_cast<double>(n);
        },
        run);
    std::printf("%.6f\n", wall_seconds());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
