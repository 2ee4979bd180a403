// Reads metrics from what an objective command prints or writes. Pure functions over text:
// no I/O, no state, so they can be fuzzed and tested alone.
//
// Conventions (documented in examples/study.yaml):
// - an intermediate value is a stdout line holding one JSON object with an integer "step" and a
//   number under the metric key: {"step": 3, "loss": 0.25};
// - the final value is the metric key of the last JSON-object line on stdout, or of a JSON/YAML
//   file the command writes, or the last number printed on stdout.
// Python's json.dumps writes NaN, Infinity and -Infinity; they are read as such (and a final
// non-finite value is then rejected by the caller's rules, not mistaken for garbage).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hpo::cli {

struct IntermediateValue {
  int64_t step = 0;
  double value = 0.0;
};

// The final metric values (one per key), or the reason there are none.
struct MetricResult {
  std::vector<double> values;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// The line as a JSON object, or nullopt if it is not one (leading/trailing blanks allowed).
std::optional<nlohmann::json> parse_json_object_line(std::string_view line);

// An intermediate value if `line` is a JSON object with an integer "step" >= 0 and a number
// (NaN allowed) under `key`; nullopt for any other line.
std::optional<IntermediateValue> parse_intermediate(std::string_view line, std::string_view key);

// The values of `keys` in `object` (a JSON object read from stdout or a file). A key is looked
// up as is, then as a dotted path ("val.loss"). `where` names the source in errors. Each value
// must be a finite number (or a string holding one).
MetricResult read_metric_keys(const nlohmann::json& object, const std::vector<std::string>& keys,
                              std::string_view where);

// The final metric from the last JSON-object line on stdout (nullopt: none was printed).
MetricResult parse_final_json_line(const std::optional<std::string>& last_json_line,
                                   const std::vector<std::string>& keys);

// The final metric from a file's text: JSON, or YAML when `yaml` is set.
MetricResult parse_metric_document(std::string_view text, bool yaml,
                                   const std::vector<std::string>& keys, std::string_view where);

// The last number on a line: whitespace-, '=', ':', ',' and ';'-separated tokens, read with the
// C locale; "nan" and "inf" count (they are numbers, just not finite ones).
std::optional<double> last_number_in(std::string_view line);

// The final metric from the last number printed (nullopt: no line had a number).
MetricResult parse_final_last_number(std::optional<double> last_number);

}  // namespace hpo::cli
