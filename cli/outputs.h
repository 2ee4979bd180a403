// The files `hpo run` leaves for a pipeline: best params, a metrics JSON, a trials CSV and,
// when asked for, the HTML study report.
// Each is written atomically (a temporary file in the same folder, then rename), so a reader
// never sees half a file and an interrupted run leaves the previous version intact.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/study_file.h"
#include "core/study.h"

namespace hpo::cli {

// Writes `content` to `path` through a temporary file and rename, creating parent folders.
// Throws std::runtime_error naming the path on failure.
void write_file_atomically(const std::string& path, std::string_view content);

// A trial's params as the objective sees them; for a WAITING (enqueued) trial, the params it
// will run with.
ExternalParams trial_params(const FrozenTrial& trial);

// Flat `name: value` YAML that YAML 1.1 and 1.2 readers both type correctly (floats always
// carry a '.', strings are quoted), or a JSON object when `json` is set.
std::string best_params_text(const ExternalParams& params, bool json);

// Study name, directions, counts by state, the best trial (number, value, params) or, with
// several directions, the Pareto front.
nlohmann::json metrics_json(const Study& study);

// One row per trial: number, state, value(s), params_<name>..., duration_seconds, fail_reason.
std::string trials_csv(const Study& study);
// The same rows as a JSON array of objects.
nlohmann::json trials_json(const Study& study);

// Writes every output `outputs` names. The best-params file needs a COMPLETE trial and is
// skipped without one. Returns the paths written.
std::vector<std::string> write_outputs(const OutputsSpec& outputs, const Study& study);

}  // namespace hpo::cli
