// Fuzzes the study-file loader (cli/study_file.h): the bytes are the text of a study file.
// Contract: any text either loads into a StudyFile whose values are valid, or is refused with
// StudyFileError listing the problems. Any other exception, crash, leak or sanitizer report is
// a bug: `hpo run` reports only StudyFileError as a bad study file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/study_file.h"
#include "core/distribution.h"

namespace {

// Relative paths in the text resolve against this file's folder, which exists, as a real
// study file's does (under a missing folder every lookup stops early at ENOENT). The loader
// only checks whether inputs and working_dir exist: nothing is read from or written there.
constexpr const char* kPath = "/hpo-fuzz-study.yaml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  hpo::cli::StudyFile file;
  try {
    file = hpo::cli::load_study_text(text, kPath);
  } catch (const hpo::cli::StudyFileError& e) {
    if (e.problems().empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  // What the loader accepts must be usable as is.
  if (file.directions.empty() || file.search_space.empty()) __builtin_trap();
  for (const auto& param : file.search_space) hpo::validate(param.distribution);
  if (file.n_jobs < 1 || file.n_jobs > 1024) __builtin_trap();
  if (file.n_trials && *file.n_trials < 1) __builtin_trap();
  if (file.timeout_seconds && !(*file.timeout_seconds > 0)) __builtin_trap();
  if (file.objective.command.empty()) __builtin_trap();
  if (!(file.objective.grace_period_seconds >= 0)) __builtin_trap();
  if (file.objective.metric.keys.empty() !=
      (file.objective.metric.source == hpo::cli::MetricSource::kLastNumber))
    __builtin_trap();
  return 0;
}
