// Calling Python from the C++ optimize loop.
#include "python/python_objective.h"

#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "python/convert.h"

namespace hpo::python {
namespace {

// Holds a Python object so that std::function copies made without the GIL never touch its
// reference count; the last copy is destroyed by make_optimize_hooks' caller, with the GIL.
using Shared = std::shared_ptr<py::object>;

Shared share(py::object o) { return std::make_shared<py::object>(std::move(o)); }

// Registers the calling thread as running an objective for the scope's duration.
class RunningScope {
 public:
  RunningScope(RunningObjectives& running) : running_(running), ident_(PyThread_get_thread_ident()) {
    running_.add(ident_);
  }
  ~RunningScope() { running_.remove(ident_); }

 private:
  RunningObjectives& running_;
  unsigned long ident_;
};

// float(v) for each objective value. For a value that is not a number (None, a string, an
// object without __float__): nothing, and in `problem` what it was, for the fail reason.
std::vector<double> values_from_py(py::handle result, std::string& problem) {
  std::vector<double> values;
  auto read = [&](py::handle v) {
    bool ok = false;
    if (!py::isinstance<py::str>(v) && !v.is_none()) {
      try {
        values.push_back(py::float_(py::reinterpret_borrow<py::object>(v)).cast<double>());
        ok = true;
      } catch (py::error_already_set&) {
      }
    }
    if (!ok) {
      problem = "the objective returned " + py::repr(v).cast<std::string>() +
                ", which cannot be cast to float";
    }
    return ok;
  };
  if (py::isinstance<py::list>(result) || py::isinstance<py::tuple>(result)) {
    for (py::handle v : result) {
      if (!read(v)) return {};
    }
  } else if (!read(result)) {
    return {};
  }
  return values;
}

}  // namespace

void RunningObjectives::add(unsigned long ident) {
  std::lock_guard lock(mutex_);
  idents_.insert(ident);
}

void RunningObjectives::remove(unsigned long ident) {
  std::lock_guard lock(mutex_);
  idents_.erase(idents_.find(ident));
  if (interrupted_) PyThreadState_SetAsyncExc(ident, nullptr);
}

void RunningObjectives::interrupt_all() {
  std::lock_guard lock(mutex_);
  interrupted_ = true;
  for (unsigned long ident : std::set<unsigned long>(idents_.begin(), idents_.end())) {
    PyThreadState_SetAsyncExc(ident, PyExc_KeyboardInterrupt);
  }
}

void throw_python_error(py::error_already_set& error) {
  // "ValueError: bad input", as Optuna's fail logs show it.
  std::string message = error.what();
  throw PythonError(std::move(error), message);
}

PythonOptimizeHooks make_optimize_hooks(py::function func, py::tuple catch_types,
                                        py::list callbacks, py::object trial_pruned,
                                        std::shared_ptr<RunningObjectives> running) {
  PythonOptimizeHooks hooks;
  Shared objective = share(std::move(func));
  Shared pruned = share(std::move(trial_pruned));

  hooks.objective = [objective, pruned, running](Trial& trial) -> std::vector<double> {
    py::gil_scoped_acquire gil;
    py::object result;
    try {
      RunningScope scope(*running);
      if (running->interrupted()) {
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        throw py::error_already_set();
      }
      // The objective gets its own copy of the trial (writes go to storage either way), so a
      // trial the user keeps after optimize() returns stays valid; it keeps the study alive.
      py::object py_trial = py::cast(Trial(trial));
      py::detail::keep_alive_impl(
          py_trial, py::cast(&trial.study(), py::return_value_policy::reference));
      result = (*objective)(py_trial);
    } catch (py::error_already_set& e) {
      if (e.matches(*pruned)) throw TrialPruned(e.what());
      throw_python_error(e);
    }
    // As Optuna, a value that is not a number is no error of the run: the trial just FAILs,
    // with the value in its reason (Study::tell keeps a reason already set).
    std::string problem;
    std::vector<double> values = values_from_py(result, problem);
    if (!problem.empty()) trial.set_system_attr("fail_reason", problem);
    return values;
  };

  for (py::handle cb : callbacks) {
    Shared callback = share(py::reinterpret_borrow<py::object>(cb));
    hooks.callbacks.push_back([callback](Study& study, const FrozenTrial& trial) {
      py::gil_scoped_acquire gil;
      try {
        (*callback)(py::cast(&study, py::return_value_policy::reference),
                    std::make_shared<FrozenTrial>(trial));
      } catch (py::error_already_set& e) {
        throw_python_error(e);
      }
    });
  }

  if (!catch_types.empty()) {
    Shared types = share(std::move(catch_types));
    hooks.catch_exceptions.push_back([types](const std::exception& e) {
      const auto* error = dynamic_cast<const PythonError*>(&e);
      if (error == nullptr) return false;
      py::gil_scoped_acquire gil;
      return PyObject_IsInstance(error->value().ptr(), types->ptr()) == 1;
    });
  }
  return hooks;
}

}  // namespace hpo::python
