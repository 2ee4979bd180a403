#include "bench/sqlite_bench_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "storage/sqlite/sqlite_storage.h"

namespace hpo::bench {

void remove_database(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

void prefill_study(const std::string& path, int64_t n, int n_params) {
  remove_database(path);
  SqliteStorage storage(path);
  int64_t study = storage.create_study({StudyDirection::kMinimize}, "bench");
  FrozenTrial t;
  t.state = TrialState::kComplete;
  t.datetime_start = Clock::now();
  t.datetime_complete = t.datetime_start;
  for (int64_t i = 0; i < n; ++i) {
    double u = static_cast<double>((i * 7919) % 1000) / 1000.0;
    if (n_params == 3) {
      t.params = {{"x", 20 * u - 10}, {"lr", 1e-5 + u * 1e-2}, {"n", static_cast<double>(1 + i % 8)}};
      t.distributions = {{"x", make_float_distribution(-10, 10)},
                         {"lr", make_float_distribution(1e-5, 1e-1, std::nullopt, true)},
                         {"n", make_int_distribution(1, 8)}};
    } else {
      t.params.clear();
      t.distributions.clear();
      for (int p = 0; p < n_params; ++p) {
        std::string name = "p" + std::to_string(p);
        t.params[name] = u;
        t.distributions[name] = make_float_distribution(0, 1);
      }
    }
    t.values = {u};
    storage.create_trial(study, &t);
  }
}

std::string bench_dir() {
  const char* dir = std::getenv("HPO_BENCH_DIR");
  return dir != nullptr ? dir : std::filesystem::temp_directory_path().string();
}

int64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      int64_t kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(1 << 16, '\n');
  }
  return 0;
}

}  // namespace hpo::bench
