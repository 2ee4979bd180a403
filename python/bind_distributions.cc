// FloatDistribution, IntDistribution and CategoricalDistribution, with Optuna's arguments.
#include <pybind11/stl.h>

#include "python/bindings.h"
#include "python/convert.h"

namespace hpo::python {

py::object distribution_to_py(const Distribution& d) {
  return std::visit([](const auto& alt) { return py::cast(alt); }, d);
}

Distribution distribution_from_py(py::handle d) {
  if (py::isinstance<FloatDistribution>(d)) return d.cast<FloatDistribution>();
  if (py::isinstance<IntDistribution>(d)) return d.cast<IntDistribution>();
  if (py::isinstance<CategoricalDistribution>(d)) return d.cast<CategoricalDistribution>();
  throw std::invalid_argument(
      "expected a FloatDistribution, IntDistribution or CategoricalDistribution, got " +
      py::repr(d).cast<std::string>());
}

void bind_distributions(py::module_& m) {
  py::class_<FloatDistribution>(m, "FloatDistribution")
      .def(py::init([](double low, double high, bool log, std::optional<double> step) {
             return make_float_distribution(low, high, step, log);
           }),
           py::arg("low"), py::arg("high"), py::arg("log") = false, py::arg("step") = py::none())
      .def_readonly("low", &FloatDistribution::low)
      .def_readonly("high", &FloatDistribution::high)
      .def_readonly("log", &FloatDistribution::log)
      .def_readonly("step", &FloatDistribution::step)
      .def("single", [](const FloatDistribution& d) { return is_single(d); })
      .def("__eq__", [](const FloatDistribution& a, py::object b) {
        return py::isinstance<FloatDistribution>(b) && a == b.cast<FloatDistribution>();
      })
      .def("__hash__", [](const FloatDistribution& d) {
        return py::hash(py::make_tuple(d.low, d.high, d.log, d.step));
      })
      .def("__repr__", [](const FloatDistribution& d) {
        return "FloatDistribution(" + distribution_to_json(d)["attributes"].dump() + ")";
      });

  py::class_<IntDistribution>(m, "IntDistribution")
      .def(py::init([](int64_t low, int64_t high, bool log, int64_t step) {
             return make_int_distribution(low, high, step, log);
           }),
           py::arg("low"), py::arg("high"), py::arg("log") = false, py::arg("step") = 1)
      .def_readonly("low", &IntDistribution::low)
      .def_readonly("high", &IntDistribution::high)
      .def_readonly("log", &IntDistribution::log)
      .def_readonly("step", &IntDistribution::step)
      .def("single", [](const IntDistribution& d) { return is_single(d); })
      .def("__eq__", [](const IntDistribution& a, py::object b) {
        return py::isinstance<IntDistribution>(b) && a == b.cast<IntDistribution>();
      })
      .def("__hash__", [](const IntDistribution& d) {
        return py::hash(py::make_tuple(d.low, d.high, d.log, d.step));
      })
      .def("__repr__", [](const IntDistribution& d) {
        return "IntDistribution(" + distribution_to_json(d)["attributes"].dump() + ")";
      });

  py::class_<CategoricalDistribution>(m, "CategoricalDistribution")
      .def(py::init([](py::iterable choices) {
             std::vector<CategoricalChoice> values;
             for (py::handle c : choices) values.push_back(param_value_from_py(c));
             return make_categorical_distribution(std::move(values));
           }),
           py::arg("choices"))
      .def_property_readonly("choices",
                             [](const CategoricalDistribution& d) {
                               py::tuple out(d.choices.size());
                               for (size_t i = 0; i < d.choices.size(); ++i) {
                                 out[i] = param_value_to_py(d.choices[i]);
                               }
                               return out;
                             })
      .def("single", [](const CategoricalDistribution& d) { return is_single(d); })
      .def("__eq__", [](const CategoricalDistribution& a, py::object b) {
        return py::isinstance<CategoricalDistribution>(b) &&
               a == b.cast<CategoricalDistribution>();
      })
      .def("__hash__", [](const CategoricalDistribution& d) {
        return py::hash(py::str(distribution_to_json(d).dump()));
      })
      .def("__repr__", [](const CategoricalDistribution& d) {
        return "CategoricalDistribution(" + distribution_to_json(d)["attributes"].dump() + ")";
      });

  m.def("distribution_to_json",
        [](py::handle d) { return distribution_to_json_string(distribution_from_py(d)); });
  m.def("json_to_distribution",
        [](const std::string& s) { return distribution_to_py(
                                       distribution_from_json(nlohmann::json::parse(s))); });
}

}  // namespace hpo::python
