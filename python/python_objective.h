// Calling Python from the C++ optimize loop: the objective, callbacks and `catch`, plus the
// exception that carries a Python error through C++ (and across worker threads) unchanged.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <pybind11/pybind11.h>

#include "core/errors.h"
#include "core/study.h"

namespace hpo::python {

namespace py = pybind11;

// A Python exception raised by user code (an objective or a callback). The optimize loop
// records its message as the trial's fail_reason and rethrows it after the workers finish;
// the module's translator then raises the original Python exception, traceback included.
class PythonError : public HpoError {
 public:
  // REQUIRES: the GIL is held (the message is formatted here, not lazily).
  PythonError(py::error_already_set error, const std::string& message)
      : HpoError(message), error_(std::make_shared<py::error_already_set>(std::move(error))) {}
  // REQUIRES: the GIL is held.
  void restore() const { error_->restore(); }
  // The exception object. REQUIRES: the GIL is held.
  py::object value() const { return error_->value(); }

 private:
  // error_already_set takes the GIL itself when it is destroyed, so this may die anywhere.
  std::shared_ptr<py::error_already_set> error_;
};

// The Python thread idents that are running an objective right now, so that Ctrl+C seen by
// the main thread can be raised in them too (n_jobs > 1).
// All members REQUIRE the GIL.
class RunningObjectives {
 public:
  void add(unsigned long ident);
  // Also drops an interrupt that was sent but not delivered before the objective returned, so
  // that it cannot fire later in unrelated code of that thread.
  void remove(unsigned long ident);
  // Raises KeyboardInterrupt asynchronously in every thread running an objective; objectives
  // that start afterwards raise it at once.
  void interrupt_all();
  bool interrupted() const { return interrupted_; }

 private:
  std::mutex mutex_;
  std::multiset<unsigned long> idents_;  // GUARDED_BY(mutex_)
  bool interrupted_ = false;             // GUARDED_BY(mutex_)
};

// Everything an optimize() call needs from Python. Built, used and destroyed with the GIL
// held; its functions may be called from any thread without the GIL (they acquire it).
struct PythonOptimizeHooks {
  MultiObjective objective;
  std::vector<Callback> callbacks;
  std::vector<CatchPredicate> catch_exceptions;
};

// `func(trial)` returns a float or, for several directions, a sequence of floats. A value
// that is not a number makes the trial FAIL, as Optuna does, without stopping the run.
// `trial_pruned` is the Python TrialPruned class: raising it ends the trial PRUNED.
PythonOptimizeHooks make_optimize_hooks(py::function func, py::tuple catch_types,
                                        py::list callbacks, py::object trial_pruned,
                                        std::shared_ptr<RunningObjectives> running);

// Turns the Python exception being handled into a PythonError. REQUIRES: the GIL is held.
[[noreturn]] void throw_python_error(py::error_already_set& error);

}  // namespace hpo::python
