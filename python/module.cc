// hpo._core: the C++ engine for Python. The hpo package re-exports it under Optuna's names.
#include <pybind11/pybind11.h>

#include "core/errors.h"
#include "python/bindings.h"
#include "python/python_objective.h"

namespace py = pybind11;

namespace {

// hpo's exception classes live in hpo/exceptions.py (so they can also derive from KeyError,
// RuntimeError, ...); hpo/__init__.py hands them over through _register_exceptions.
struct ExceptionClasses {
  py::object hpo_error, trial_pruned, duplicated_study, not_found, update_finished, storage;
};

ExceptionClasses* exception_classes = nullptr;

void raise_as(const py::object& type, const std::exception& e) {
  PyErr_SetString(type.ptr(), e.what());
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "hpo's C++ engine; use it through the hpo package.";
  hpo::python::bind_distributions(m);
  hpo::python::bind_trial(m);
  hpo::python::bind_factory(m);
  hpo::python::bind_study(m);
  hpo::python::bind_importance(m);

  m.def("_register_exceptions", [](py::module_ exceptions) {
    // Leaked on purpose: the translator may run until interpreter exit.
    exception_classes = new ExceptionClasses{
        exceptions.attr("HpoError"),        exceptions.attr("TrialPruned"),
        exceptions.attr("DuplicatedStudyError"), exceptions.attr("NotFoundError"),
        exceptions.attr("UpdateFinishedTrialError"), exceptions.attr("StorageInternalError")};
  });

  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const hpo::python::PythonError& e) {
      e.restore();  // the user's own exception, with its traceback
    } catch (const hpo::HpoError& e) {
      if (exception_classes == nullptr) throw;
      const ExceptionClasses& c = *exception_classes;
      if (dynamic_cast<const hpo::TrialPruned*>(&e)) return raise_as(c.trial_pruned, e);
      if (dynamic_cast<const hpo::DuplicatedStudyError*>(&e)) return raise_as(c.duplicated_study, e);
      if (dynamic_cast<const hpo::NotFoundError*>(&e)) return raise_as(c.not_found, e);
      if (dynamic_cast<const hpo::UpdateFinishedTrialError*>(&e)) {
        return raise_as(c.update_finished, e);
      }
      if (dynamic_cast<const hpo::StorageError*>(&e)) return raise_as(c.storage, e);
      raise_as(c.hpo_error, e);
    }
  });
}
