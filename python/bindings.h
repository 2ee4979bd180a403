// The parts of the hpo._core module, each defined in its bind_*.cc.
#pragma once

#include <pybind11/pybind11.h>

#include "core/distribution.h"

namespace hpo::python {

namespace py = pybind11;

void bind_distributions(py::module_& m);
void bind_trial(py::module_& m);
void bind_study(py::module_& m);
void bind_factory(py::module_& m);
void bind_importance(py::module_& m);

// A Distribution as its Python class (FloatDistribution, ...), and back. distribution_from_py
// throws std::invalid_argument (ValueError) for other objects.
py::object distribution_to_py(const Distribution& d);
Distribution distribution_from_py(py::handle d);

}  // namespace hpo::python
