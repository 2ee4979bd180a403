// JSON text exactly as Python's json.dumps writes it, for the columns Optuna fills with
// json.dumps (attribute values, fixed params): ", " and ": " separators, non-ASCII escaped as
// \uXXXX, floats in repr form (1.0, 1e-05, NaN, Infinity). Sharing the bytes, not only the
// meaning, keeps files written by hpo and by Optuna indistinguishable.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hpo::sqlite {

std::string python_json_dumps(const nlohmann::json& value);

// Parses JSON that Python's json module wrote, which may hold the non-standard NaN, Infinity
// and -Infinity tokens (read as the matching doubles). Throws std::invalid_argument on bad text.
nlohmann::json python_json_loads(std::string_view text);

// Python's repr of a float: the shortest text that reads back the same ("0.1", "1.0", "1e-05").
std::string python_float_repr(double v);

}  // namespace hpo::sqlite
