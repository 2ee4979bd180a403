// Helpers for run_sqlite.sh: writing study files, a worker process of the multi-process run,
// and the memory measurement.
//
//   bench_sqlite_tool prefill PATH N PARAMS    a study "bench" of N COMPLETE trials
//   bench_sqlite_tool worker PATH K            K ask+tell trials on study "bench"; prints
//                                              {"start": s, "end": s} (epoch seconds)
//   bench_sqlite_tool memory PATH              loads every trial of "bench", then runs 100
//                                              more; prints resident KiB per trial and timings
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "bench/sqlite_bench_util.h"
#include "core/factory.h"
#include "core/study.h"
#include "storage/sqlite/sqlite_storage.h"

namespace {

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void ask_tell(hpo::Study& study, int64_t k) {
  for (int64_t i = 0; i < k; ++i) {
    hpo::Trial trial = study.ask();
    double x = trial.suggest_float("x", -10.0, 10.0);
    double lr = trial.suggest_float("lr", 1e-5, 1e-1, {.log = true});
    int64_t n = trial.suggest_int("n", 1, 8);
    study.tell(trial, x * x + lr + static_cast<double>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "prefill") {
    hpo::bench::prefill_study(a[1], std::stoll(a[2]), std::stoi(a[3]));
    return 0;
  }
  if (a.size() == 3 && a[0] == "worker") {
    auto storage = hpo::make_storage("sqlite:///" + a[1]);
    auto study = hpo::Study::load("bench", storage, hpo::make_sampler("random"));
    double start = epoch_seconds();
    ask_tell(*study, std::stoll(a[2]));
    std::printf("{\"start\": %.6f, \"end\": %.6f}\n", start, epoch_seconds());
    return 0;
  }
  if (a.size() == 2 && a[0] == "memory") {
    int64_t before = hpo::bench::resident_kib();
    auto t0 = std::chrono::steady_clock::now();
    auto storage = std::make_shared<hpo::SqliteStorage>(a[1]);
    auto study = hpo::Study::load("bench", storage, hpo::make_sampler("random"));
    size_t n = study->trials().size();
    auto t1 = std::chrono::steady_clock::now();
    int64_t after = hpo::bench::resident_kib();
    ask_tell(*study, 100);
    auto t2 = std::chrono::steady_clock::now();
    std::printf("{\"trials\": %zu, \"kib_per_trial\": %.3f, \"load_s\": %.3f, "
                "\"ask_tell_us_after\": %.1f}\n",
                n, static_cast<double>(after - before) / static_cast<double>(n),
                std::chrono::duration<double>(t1 - t0).count(),
                std::chrono::duration<double>(t2 - t1).count() / 100 * 1e6);
    return 0;
  }
  std::cerr << "usage: see the comment at the top of sqlite_tool.cc\n";
  return 2;
}
