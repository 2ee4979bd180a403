// Fuzzes the reader of objective output (cli/metric_parser.h): whatever a training command
// prints or writes reaches it. Contract: every function returns (a value, nullopt or an error
// message) and never throws; a value it reports as a final metric is finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/metric_parser.h"

namespace {

void check(const hpo::cli::MetricResult& r) {
  if (r.ok() == r.values.empty()) __builtin_trap();  // exactly one of values and error
  for (double v : r.values) {
    if (!std::isfinite(v)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> keys = {"loss", "val.loss"};
  std::optional<std::string> last_json;
  std::optional<double> last_number;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? text.npos
                                                                           : end - start);
    if (auto v = hpo::cli::parse_intermediate(line, "loss"); v && v->step < 0) __builtin_trap();
    if (hpo::cli::parse_json_object_line(line)) last_json = std::string(line);
    if (auto n = hpo::cli::last_number_in(line)) last_number = n;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  check(hpo::cli::parse_final_json_line(last_json, keys));
  check(hpo::cli::parse_final_last_number(last_number));
  check(hpo::cli::parse_metric_document(text, false, keys, "file"));
  check(hpo::cli::parse_metric_document(text, true, keys, "file"));
  return 0;
}
