// Study: creation and loading, optimize (with the GIL released), ask/tell, enqueue, results.
// hpo.study.Study derives from this class and adapts Optuna's argument forms.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <pybind11/stl.h>

#include "core/study.h"
#include "python/bindings.h"
#include "python/convert.h"
#include "python/python_objective.h"

namespace hpo::python {
namespace {

using FrozenPtr = std::shared_ptr<FrozenTrial>;
using Release = py::call_guard<py::gil_scoped_release>;

// Storages hand out shared immutable snapshots; Python gets them read-only (no setters bound).
FrozenPtr to_py_trial(const TrialPtr& t) { return std::const_pointer_cast<FrozenTrial>(t); }

std::vector<FrozenPtr> to_py_trials(const Trials& trials) {
  std::vector<FrozenPtr> out;
  out.reserve(trials.size());
  for (const TrialPtr& t : trials) out.push_back(to_py_trial(t));
  return out;
}

// The trials in `states` (all when absent). StateMask is built from a fixed list, so a
// single state is read through the storage's filter and several are filtered here.
Trials trials_in(const Study& study, const std::optional<std::vector<TrialState>>& states) {
  if (!states) return study.get_trials();
  if (states->size() == 1) return study.get_trials({states->front()});
  Trials all = study.get_trials();
  std::erase_if(all, [&](const TrialPtr& t) {
    return std::find(states->begin(), states->end(), t->state) == states->end();
  });
  return all;
}

std::shared_ptr<Study> make_study(std::string name, std::shared_ptr<Storage> storage,
                                  std::shared_ptr<Sampler> sampler, std::shared_ptr<Pruner> pruner,
                                  std::vector<StudyDirection> directions, bool load_if_exists,
                                  bool create) {
  py::gil_scoped_release release;
  if (!create) return Study::load(name, std::move(storage), std::move(sampler), std::move(pruner));
  CreateStudyOptions options;
  options.storage = std::move(storage);
  options.sampler = std::move(sampler);
  options.pruner = std::move(pruner);
  options.study_name = std::move(name);
  options.directions = std::move(directions);
  options.load_if_exists = load_if_exists;
  return Study::create(std::move(options));
}

// Runs the optimize loop. With one job the objective runs in the calling thread, so Ctrl+C
// raises KeyboardInterrupt inside it. With several, the workers are other threads, which
// Python never interrupts: this thread waits, polls for signals, and on Ctrl+C stops the run
// and raises KeyboardInterrupt in every running objective (their trials end FAIL).
void optimize(Study& study, py::function func, std::optional<int64_t> n_trials,
              std::optional<double> timeout, int n_jobs, py::tuple catch_types,
              py::list callbacks, py::object trial_pruned) {
  auto running = std::make_shared<RunningObjectives>();
  PythonOptimizeHooks hooks =
      make_optimize_hooks(std::move(func), std::move(catch_types), std::move(callbacks),
                          std::move(trial_pruned), running);
  OptimizeOptions options;
  options.n_trials = n_trials;
  options.timeout_seconds = timeout;
  options.n_jobs = n_jobs;
  options.callbacks = hooks.callbacks;
  options.catch_exceptions = hooks.catch_exceptions;

  if (n_jobs == 1) {
    py::gil_scoped_release release;
    run_optimize(study, hooks.objective, options);
    return;
  }

  std::optional<py::error_already_set> interrupt;
  std::exception_ptr error;
  {
    py::gil_scoped_release release;
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread runner([&] {
      try {
        run_optimize(study, hooks.objective, options);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      done = true;
      finished.notify_all();
    });
    while (true) {
      {
        std::unique_lock lock(mutex);
        if (finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) break;
      }
      py::gil_scoped_acquire gil;
      if (!interrupt && PyErr_CheckSignals() != 0) {
        interrupt.emplace();  // takes the pending KeyboardInterrupt
        study.stop();
        running->interrupt_all();
      }
    }
    runner.join();
  }
  if (interrupt) throw *interrupt;
  if (error) std::rethrow_exception(error);
}

py::object tell(Study& study, py::handle trial, TrialState state, std::vector<double> values) {
  TrialPtr finished;
  if (py::isinstance<Trial>(trial)) {
    const Trial& t = trial.cast<const Trial&>();
    py::gil_scoped_release release;
    finished = study.tell(t, state, values);
  } else if (py::isinstance<py::int_>(trial)) {
    int64_t number = trial.cast<int64_t>();
    py::gil_scoped_release release;
    finished = study.tell(number, state, values);
  } else {
    throw py::type_error("Trial must be a trial object or trial number.");
  }
  return py::cast(to_py_trial(finished));
}

// The stored record of a trial given as a Trial or a trial number, read without building a
// Python object per trial. Throws ValueError for a number the study does not have, as Optuna.
FrozenPtr frozen_trial(const Study& study, py::handle trial) {
  if (py::isinstance<Trial>(trial)) {
    int64_t id = trial.cast<const Trial&>().trial_id();
    py::gil_scoped_release release;
    return to_py_trial(study.storage().get_trial(id));
  }
  if (!py::isinstance<py::int_>(trial)) {
    throw py::type_error("Trial must be a trial object or trial number.");
  }
  int64_t number = trial.cast<int64_t>();
  {
    py::gil_scoped_release release;
    for (const TrialPtr& t : study.get_trials()) {
      if (t->number == number) return to_py_trial(t);
    }
  }
  throw std::invalid_argument("Cannot tell for trial with number " + std::to_string(number) +
                              " since it has not been created.");
}

}  // namespace

void bind_study(py::module_& m) {
  py::class_<Study, std::shared_ptr<Study>>(m, "Study")
      .def(py::init(&make_study), py::arg("study_name"), py::arg("storage"), py::arg("sampler"),
           py::arg("pruner"), py::arg("directions"), py::arg("load_if_exists"),
           py::arg("create"))
      .def_property_readonly("study_name", &Study::study_name)
      .def_property_readonly("_study_id", &Study::study_id)
      .def_property_readonly("directions", &Study::directions)
      .def_property_readonly("direction", &Study::direction)
      .def_property_readonly("_storage", &Study::shared_storage)
      // The sampler and pruner the study runs (the factory's defaults when none was given).
      .def_property_readonly("_sampler", &Study::sampler, py::return_value_policy::reference_internal)
      .def_property_readonly("_pruner", &Study::pruner, py::return_value_policy::reference_internal)
      .def("_optimize", &optimize, py::arg("func"), py::arg("n_trials"), py::arg("timeout"),
           py::arg("n_jobs"), py::arg("catch"), py::arg("callbacks"), py::arg("trial_pruned"))
      .def(
          "_ask",
          [](Study& study, const py::dict& fixed) {
            Distributions distributions;
            for (auto [k, d] : fixed) {
              distributions[py::str(k).cast<std::string>()] = distribution_from_py(d);
            }
            py::gil_scoped_release release;
            return study.ask(distributions);
          },
          py::arg("fixed_distributions"), py::keep_alive<0, 1>())
      .def("_frozen_trial", &frozen_trial, py::arg("trial"))
      .def("_tell", &tell, py::arg("trial"), py::arg("state"), py::arg("values"))
      .def(
          "enqueue_trial",
          [](Study& study, const py::dict& params, py::object user_attrs, bool skip_if_exists) {
            ExternalParams external;
            for (auto [k, v] : params) {
              external[py::str(k).cast<std::string>()] = param_value_from_py(v);
            }
            nlohmann::json attrs = user_attrs.is_none() ? nlohmann::json::object()
                                                        : json_from_py(user_attrs);
            py::gil_scoped_release release;
            study.enqueue_trial(external, attrs, skip_if_exists);
          },
          py::arg("params"), py::arg("user_attrs") = py::none(),
          py::arg("skip_if_exists") = false)
      .def("add_trial", &Study::add_trial, py::arg("trial"), Release())
      .def_property_readonly("best_trial",
                             [](const Study& s) {
                               TrialPtr best;
                               {
                                 py::gil_scoped_release release;
                                 best = s.best_trial();
                               }
                               return to_py_trial(best);
                             })
      .def_property_readonly("best_value", &Study::best_value, Release())
      .def_property_readonly("best_params",
                             [](const Study& s) {
                               ExternalParams params;
                               {
                                 py::gil_scoped_release release;
                                 params = s.best_params();
                               }
                               py::dict out;
                               for (const auto& [k, v] : params) out[py::str(k)] = param_value_to_py(v);
                               return out;
                             })
      .def_property_readonly("best_trials",
                             [](const Study& s) {
                               Trials best;
                               {
                                 py::gil_scoped_release release;
                                 best = s.best_trials();
                               }
                               return to_py_trials(best);
                             })
      .def(
          "_get_trials",
          [](const Study& s, std::optional<std::vector<TrialState>> states) {
            Trials trials;
            {
              py::gil_scoped_release release;
              trials = trials_in(s, states);
            }
            return to_py_trials(trials);
          },
          py::arg("states"))
      .def("set_user_attr",
           [](Study& s, const std::string& key, py::handle value) {
             nlohmann::json json = json_from_py(value);
             py::gil_scoped_release release;
             s.set_user_attr(key, json);
           },
           py::arg("key"), py::arg("value"))
      .def("set_system_attr",
           [](Study& s, const std::string& key, py::handle value) {
             nlohmann::json json = json_from_py(value);
             py::gil_scoped_release release;
             s.set_system_attr(key, json);
           },
           py::arg("key"), py::arg("value"))
      .def_property_readonly("user_attrs",
                             [](const Study& s) {
                               nlohmann::json attrs;
                               {
                                 py::gil_scoped_release release;
                                 attrs = s.user_attrs();
                               }
                               return json_to_py(attrs);
                             })
      .def_property_readonly("system_attrs", [](const Study& s) {
        nlohmann::json attrs;
        {
          py::gil_scoped_release release;
          attrs = s.system_attrs();
        }
        return json_to_py(attrs);
      })
      .def("stop", &Study::stop);
}

}  // namespace hpo::python
