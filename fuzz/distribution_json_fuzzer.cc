// Fuzzes the reader of Optuna's distribution JSON (it reads databases other programs wrote).
// Contract: any input either parses to a distribution that round-trips exactly, or is refused
// with std::invalid_argument. Any other exception, crash or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/distribution.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  hpo::Distribution d;
  try {
    d = hpo::distribution_from_json(j);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  // What the reader accepts must be valid, except for repeated categorical choices: Optuna
  // stores them, so the reader takes them on purpose; only new suggestions refuse them.
  if (!std::holds_alternative<hpo::CategoricalDistribution>(d)) hpo::validate(d);
  if (!(hpo::distribution_from_json(hpo::distribution_to_json(d)) == d)) __builtin_trap();
  auto text = nlohmann::json::parse(hpo::distribution_to_json_string(d));
  if (!(hpo::distribution_from_json(text) == d)) __builtin_trap();
  return 0;
}
