// The study file (YAML): loading and validation.
//
// load_study_file() reads everything and reports every problem at once, each with the file,
// the line, the field and the fix, before anything runs and before any database is opened.
// Paths in the file are relative to the file's own folder. examples/study.yaml documents
// every key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distribution.h"
#include "core/frozen_trial.h"

namespace hpo::cli {

enum class MetricSource { kStdoutJson, kFile, kLastNumber };

struct MetricSpec {
  MetricSource source = MetricSource::kStdoutJson;
  std::vector<std::string> keys;  // one per direction; empty for kLastNumber
  std::string file;               // kFile: absolute path; may hold {trial_number}
  bool file_is_yaml = false;
};

struct ObjectiveSpec {
  std::string command;  // run with /bin/sh -c after {placeholder} substitution
  MetricSpec metric;
  std::optional<double> timeout_seconds;  // per trial
  double grace_period_seconds = 10.0;     // SIGTERM -> SIGKILL, and Ctrl+C's wait
  std::map<std::string, std::string> env;
  std::string working_dir;  // absolute
};

struct ParamSpec {
  std::string name;
  Distribution distribution;
};

// Absolute paths; empty: not written.
struct OutputsSpec {
  std::string best_params;  // .json: JSON, otherwise YAML
  std::string metrics;
  std::string trials;
  std::string logs;  // folder of per-trial logs
  std::string report;  // the HTML study report; none unless the file names one
};

struct StudyFile {
  std::string path;  // absolute
  std::string dir;   // absolute folder of the file
  std::string stem;  // file name without extension
  std::optional<std::string> study_name;
  std::vector<StudyDirection> directions;
  std::string storage_url;  // relative sqlite paths made absolute
  std::string sampler = "random";
  nlohmann::json sampler_options = nlohmann::json::object();
  std::string pruner = "nop";
  nlohmann::json pruner_options = nlohmann::json::object();
  std::vector<ParamSpec> search_space;  // in file order
  ObjectiveSpec objective;
  std::optional<int64_t> n_trials;
  std::optional<double> timeout_seconds;
  int n_jobs = 1;
  std::vector<std::string> inputs;  // absolute paths of files and folders
  OutputsSpec outputs;
};

// Every problem found in a study file, one per line as "file:line: field: problem; fix".
class StudyFileError : public std::runtime_error {
 public:
  explicit StudyFileError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Reads and validates `path`. Checks sampler and pruner options through the factory (which
// opens nothing) and that every input exists. Throws StudyFileError listing every problem.
StudyFile load_study_file(const std::string& path);

// load_study_file() with the file's text given: `path` names the file in messages and anchors
// its relative paths, and is not read.
StudyFile load_study_text(const std::string& text, const std::string& path);

// The storage URL a study file gets when it names none: an SQLite file next to it, with
// heartbeats every 60 s.
std::string default_storage_url(const std::string& dir, const std::string& stem);

// Checks a storage URL's form without opening it; returns the problem, or nullopt.
std::optional<std::string> check_storage_url(const std::string& url);

}  // namespace hpo::cli
