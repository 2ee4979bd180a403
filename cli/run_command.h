// `hpo run STUDY.yaml`: validates the study file, opens (or resumes) the study named by its
// key, runs what the budget still allows with one objective process per trial, writes the
// outputs and prints the result.
#pragma once

#include <optional>
#include <string>

namespace hpo::cli {

// Exit codes, as the README documents them.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

// Command-line values that override the study file.
struct RunOverrides {
  std::optional<int64_t> n_trials;
  std::optional<double> timeout_seconds;
  std::optional<int> n_jobs;
  std::optional<std::string> storage_url;
  std::optional<std::string> study_name;
  std::optional<double> grace_period_seconds;
  bool quiet = false;
};

// Returns the process exit code: 0 done, 1 error (storage, no trial completed), 2 bad study
// file or arguments, 130 interrupted. Messages go to stderr, the result to stdout.
int run_study(const std::string& study_file, const RunOverrides& overrides);

}  // namespace hpo::cli
