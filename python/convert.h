// Conversions between Python objects and hpo's value types (params, JSON, times).
#pragma once

#include <optional>

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

#include "core/distribution.h"
#include "core/frozen_trial.h"

namespace hpo::python {

namespace py = pybind11;

// None, bool, int, float or str -> ParamValue. bool is tested before int, as Python's bool is
// an int. Throws std::invalid_argument (ValueError) naming the type for anything else.
ParamValue param_value_from_py(py::handle value);
py::object param_value_to_py(const ParamValue& value);

// A Python dict/list/str/number/bool/None tree -> JSON, and back. Throws std::invalid_argument
// for objects JSON cannot hold (numpy scalars are read through float()/int()).
nlohmann::json json_from_py(py::handle value);
py::object json_to_py(const nlohmann::json& value);

// A time point as a naive local datetime.datetime, as Optuna reports datetime_start.
py::object time_to_py(const std::optional<Clock::time_point>& time);

}  // namespace hpo::python
