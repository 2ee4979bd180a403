// Shared by the SQLite benchmarks: the study files they start from.
#pragma once

#include <cstdint>
#include <string>

namespace hpo::bench {

// Writes to `path` (replacing it) a study "bench" (minimize) with `n` COMPLETE trials, each with
// `n_params` float params: x, lr (log), n (int) when n_params is 3, p0..p{n-1} otherwise. Goes
// through SqliteStorage, one transaction per trial.
void prefill_study(const std::string& path, int64_t n, int n_params);

// Removes `path` and its -wal/-shm files.
void remove_database(const std::string& path);

// The directory for benchmark databases: $HPO_BENCH_DIR, or the system temp directory.
std::string bench_dir();

// This process's resident set size, in KiB.
int64_t resident_kib();

}  // namespace hpo::bench
