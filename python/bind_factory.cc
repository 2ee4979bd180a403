// Samplers, pruners and storages, built by name through the factory (core/factory.h). The hpo
// package's classes (hpo.samplers.TPESampler, ...) derive from these and only pass Optuna's
// argument names on as factory options.
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "core/errors.h"
#include "core/factory.h"
#include "python/bindings.h"
#include "python/convert.h"

namespace hpo::python {
namespace {

int64_t study_id_of(const Storage& storage, const std::string& name) {
  auto id = storage.find_study_id(name);
  if (!id) throw NotFoundError("no study named '" + name + "'");
  return *id;
}

}  // namespace

void bind_factory(py::module_& m) {
  py::class_<Sampler, std::shared_ptr<Sampler>>(m, "Sampler")
      .def(py::init([](const std::string& name, py::handle options) {
             nlohmann::json json = json_from_py(options);
             py::gil_scoped_release release;
             return make_sampler(name, json);
           }),
           py::arg("name"), py::arg("options") = py::dict())
      .def("reseed", &Sampler::reseed, py::arg("seed"));

  py::class_<Pruner, std::shared_ptr<Pruner>>(m, "Pruner")
      .def(py::init([](const std::string& name, py::handle options) {
             nlohmann::json json = json_from_py(options);
             py::gil_scoped_release release;
             return make_pruner(name, json);
           }),
           py::arg("name"), py::arg("options") = py::dict());

  m.def("sampler_names", &sampler_names);
  m.def("pruner_names", &pruner_names);

  py::class_<StudySummary>(m, "StudySummary")
      .def_readonly("study_name", &StudySummary::study_name)
      .def_readonly("_study_id", &StudySummary::study_id)
      .def_readonly("directions", &StudySummary::directions)
      .def_readonly("n_trials", &StudySummary::n_trials)
      .def_property_readonly("user_attrs",
                             [](const StudySummary& s) { return json_to_py(s.user_attrs); })
      .def_property_readonly("system_attrs",
                             [](const StudySummary& s) { return json_to_py(s.system_attrs); })
      .def_property_readonly("datetime_start",
                             [](const StudySummary& s) { return time_to_py(s.datetime_start); });

  py::class_<Storage, std::shared_ptr<Storage>>(m, "Storage")
      .def(py::init([](const std::string& url) {
             py::gil_scoped_release release;
             return make_storage(url);
           }),
           py::arg("url"))
      .def("get_all_studies", &Storage::get_all_studies,
           py::call_guard<py::gil_scoped_release>())
      .def("get_all_study_names",
           [](const Storage& s) {
             std::vector<std::string> names;
             for (const StudySummary& summary : s.get_all_studies()) {
               names.push_back(summary.study_name);
             }
             return names;
           },
           py::call_guard<py::gil_scoped_release>())
      .def("delete_study",
           [](Storage& s, const std::string& name) { s.delete_study(study_id_of(s, name)); },
           py::arg("study_name"), py::call_guard<py::gil_scoped_release>())
      .def("find_study_id", &Storage::find_study_id, py::arg("study_name"),
           py::call_guard<py::gil_scoped_release>())
      .def("is_heartbeat_enabled", &Storage::heartbeat_enabled)
      .def("_heartbeat_interval_seconds", &Storage::heartbeat_interval_seconds)
      .def("fail_stale_trials", &Storage::fail_stale_trials, py::arg("study_id"),
           py::call_guard<py::gil_scoped_release>());
}

}  // namespace hpo::python
