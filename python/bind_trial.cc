// Trial (what the objective receives), FrozenTrial, TrialState and StudyDirection.
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "core/study.h"
#include "core/trial.h"
#include "python/bindings.h"
#include "python/convert.h"

namespace hpo::python {
namespace {

using FrozenPtr = std::shared_ptr<FrozenTrial>;
using Release = py::call_guard<py::gil_scoped_release>;

py::dict params_to_py(const ExternalParams& params) {
  py::dict out;
  for (const auto& [name, value] : params) out[py::str(name)] = param_value_to_py(value);
  return out;
}

py::dict distributions_to_py(const Distributions& distributions) {
  py::dict out;
  for (const auto& [name, d] : distributions) out[py::str(name)] = distribution_to_py(d);
  return out;
}

py::object values_or_none(const FrozenTrial& t) {
  if (t.values.empty()) return py::none();
  return py::cast(t.values);
}

// Optuna's FrozenTrial.value: None without values, an error for several.
py::object value_or_none(const FrozenTrial& t) {
  if (t.values.empty()) return py::none();
  if (t.values.size() > 1) {
    throw std::logic_error(
        "this attribute is not available for multi-objective trials; use values instead");
  }
  return py::float_(t.values[0]);
}

FrozenPtr create_trial(std::optional<TrialState> state, std::optional<double> value,
                       std::optional<std::vector<double>> values, py::object params,
                       py::object distributions, py::object user_attrs, py::object system_attrs,
                       py::object intermediate_values) {
  if (value && values) throw std::invalid_argument("specify only one of value and values");
  auto t = std::make_shared<FrozenTrial>();
  t->number = 0;
  t->state = state.value_or(TrialState::kComplete);
  if (value) t->values = {*value};
  if (values) t->values = *values;
  if (!distributions.is_none()) {
    for (auto [k, d] : distributions.cast<py::dict>()) {
      t->distributions[py::str(k).cast<std::string>()] = distribution_from_py(d);
    }
  }
  if (!params.is_none()) {
    for (auto [k, v] : params.cast<py::dict>()) {
      std::string name = py::str(k).cast<std::string>();
      auto d = t->distributions.find(name);
      if (d == t->distributions.end()) {
        throw std::invalid_argument("param '" + name + "' has no distribution");
      }
      t->params[name] = to_internal(d->second, param_value_from_py(v));
    }
  }
  if (!user_attrs.is_none()) t->user_attrs = json_from_py(user_attrs);
  if (!system_attrs.is_none()) t->system_attrs = json_from_py(system_attrs);
  if (!intermediate_values.is_none()) {
    for (auto [k, v] : intermediate_values.cast<py::dict>()) {
      t->intermediate_values[k.cast<int64_t>()] = v.cast<double>();
    }
  }
  if (t->state != TrialState::kWaiting) t->datetime_start = Clock::now();
  if (is_finished(t->state)) t->datetime_complete = t->datetime_start;
  return t;
}

}  // namespace

void bind_trial(py::module_& m) {
  py::enum_<TrialState>(m, "TrialState")
      .value("RUNNING", TrialState::kRunning)
      .value("COMPLETE", TrialState::kComplete)
      .value("PRUNED", TrialState::kPruned)
      .value("FAIL", TrialState::kFail)
      .value("WAITING", TrialState::kWaiting)
      .def("is_finished", [](TrialState s) { return is_finished(s); });

  py::enum_<StudyDirection>(m, "StudyDirection")
      .value("MINIMIZE", StudyDirection::kMinimize)
      .value("MAXIMIZE", StudyDirection::kMaximize);

  py::class_<FrozenTrial, FrozenPtr>(m, "FrozenTrial")
      .def_readonly("number", &FrozenTrial::number)
      .def_readonly("_trial_id", &FrozenTrial::trial_id)
      .def_readonly("state", &FrozenTrial::state)
      .def_property_readonly("value", &value_or_none)
      .def_property_readonly("values", &values_or_none)
      .def_property_readonly("params",
                             [](const FrozenTrial& t) { return params_to_py(t.external_params()); })
      .def_property_readonly("distributions",
                             [](const FrozenTrial& t) { return distributions_to_py(t.distributions); })
      .def_property_readonly("user_attrs",
                             [](const FrozenTrial& t) { return json_to_py(t.user_attrs); })
      .def_property_readonly("system_attrs",
                             [](const FrozenTrial& t) { return json_to_py(t.system_attrs); })
      .def_readonly("intermediate_values", &FrozenTrial::intermediate_values)
      .def_property_readonly("last_step", &FrozenTrial::last_step)
      .def_property_readonly("datetime_start",
                             [](const FrozenTrial& t) { return time_to_py(t.datetime_start); })
      .def_property_readonly(
          "datetime_complete", [](const FrozenTrial& t) { return time_to_py(t.datetime_complete); })
      .def_property_readonly("duration",
                             [](const FrozenTrial& t) -> py::object {
                               if (!t.datetime_start || !t.datetime_complete) return py::none();
                               return py::cast(*t.datetime_complete - *t.datetime_start);
                             })
      .def("__repr__", [](const FrozenTrial& t) {
        return "FrozenTrial(number=" + std::to_string(t.number) + ", state=" +
               std::string(to_string(t.state)) + ", values=" +
               py::repr(values_or_none(t)).cast<std::string>() +
               ", params=" + py::repr(params_to_py(t.external_params())).cast<std::string>() + ")";
      });

  m.def("create_trial", &create_trial, py::kw_only(), py::arg("state") = py::none(),
        py::arg("value") = py::none(), py::arg("values") = py::none(),
        py::arg("params") = py::none(), py::arg("distributions") = py::none(),
        py::arg("user_attrs") = py::none(), py::arg("system_attrs") = py::none(),
        py::arg("intermediate_values") = py::none());

  py::class_<Trial>(m, "Trial")
      .def(
          "suggest_float",
          [](Trial& t, std::string_view name, double low, double high, std::optional<double> step,
             bool log) { return t.suggest_float(name, low, high, FloatOptions{step, log}); },
          py::arg("name"), py::arg("low"),
           py::arg("high"), py::kw_only(), py::arg("step") = py::none(), py::arg("log") = false,
           Release())
      .def(
          "suggest_int",
          [](Trial& t, std::string_view name, int64_t low, int64_t high, int64_t step, bool log) {
            return t.suggest_int(name, low, high, IntOptions{step, log});
          },
          py::arg("name"), py::arg("low"), py::arg("high"),
           py::arg("step") = 1, py::arg("log") = false, Release())
      .def(
          "suggest_categorical",
          [](Trial& trial, const std::string& name, py::iterable choices) {
            std::vector<CategoricalChoice> values;
            for (py::handle c : choices) {
              try {
                values.push_back(param_value_from_py(c));
              } catch (const std::invalid_argument& e) {
                // Name the parameter: the objective may suggest dozens.
                throw std::invalid_argument("suggest_categorical('" + name + "'): choices: " +
                                            e.what());
              }
            }
            ParamValue chosen;
            {
              py::gil_scoped_release release;
              chosen = trial.suggest_categorical(name, values);
            }
            return param_value_to_py(chosen);
          },
          py::arg("name"), py::arg("choices"))
      .def("report", &Trial::report, py::arg("value"), py::arg("step"), Release())
      .def("should_prune", &Trial::should_prune, Release())
      .def("set_user_attr",
           [](Trial& t, const std::string& key, py::handle value) {
             nlohmann::json json = json_from_py(value);
             py::gil_scoped_release release;
             t.set_user_attr(key, json);
           },
           py::arg("key"), py::arg("value"))
      .def("set_system_attr",
           [](Trial& t, const std::string& key, py::handle value) {
             nlohmann::json json = json_from_py(value);
             py::gil_scoped_release release;
             t.set_system_attr(key, json);
           },
           py::arg("key"), py::arg("value"))
      .def_property_readonly("number", &Trial::number)
      .def_property_readonly("_trial_id", &Trial::trial_id)
      .def_property_readonly("params", [](const Trial& t) { return params_to_py(t.params()); })
      .def_property_readonly("distributions",
                             [](const Trial& t) { return distributions_to_py(t.distributions()); })
      .def_property_readonly("user_attrs", [](const Trial& t) { return json_to_py(t.user_attrs()); })
      .def_property_readonly("system_attrs",
                             [](const Trial& t) { return json_to_py(t.system_attrs()); })
      .def_property_readonly("datetime_start",
                             [](const Trial& t) { return time_to_py(t.datetime_start()); })
      // The Study object the trial belongs to (the same Python object the user holds).
      .def_property_readonly(
          "study", [](const Trial& t) { return py::cast(&t.study(), py::return_value_policy::reference); })
      .def("__repr__", [](const Trial& t) {
        return "Trial(number=" + std::to_string(t.number()) + ")";
      });
}

}  // namespace hpo::python
