// The optimize loop: n_jobs workers, each repeating ask -> objective -> tell.
//
// Workers are plain threads rather than TBB tasks: an objective usually blocks (a training
// step on a GPU, a subprocess, Python releasing the GIL), and n_jobs promises that many
// objectives at once, which a task arena capped at the core count would not keep.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "core/study.h"

namespace hpo {
namespace {

class RunState {
 public:
  RunState(Study& study, const OptimizeOptions& options) : study_(study), options_(options) {
    if (options.timeout_seconds) {
      deadline_ = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(*options.timeout_seconds));
    }
  }

  // Claims the right to start one more trial; false when the run is over.
  bool claim_trial() {
    if (study_.stop_requested()) return false;
    if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) return false;
    if (options_.n_trials && started_.fetch_add(1) >= *options_.n_trials) return false;
    return true;
  }

  bool is_caught(const std::exception& e) const {
    return std::any_of(options_.catch_exceptions.begin(), options_.catch_exceptions.end(),
                       [&](const CatchPredicate& p) { return p(e); });
  }

  // Keeps the first fatal error and stops the run; running trials finish.
  void fail_run(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::move(error);
    }
    study_.stop();
  }

  void rethrow_if_failed() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  Study& study_;
  const OptimizeOptions& options_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::atomic<int64_t> started_{0};
  std::mutex mutex_;
  std::exception_ptr error_;  // GUARDED_BY(mutex_)
};

void run_one_trial(Study& study, const MultiObjective& objective, const OptimizeOptions& options,
                   RunState& run) {
  Trial trial = study.ask();
  std::vector<double> values;
  TrialState state = TrialState::kComplete;
  try {
    values = objective(trial);
  } catch (const TrialPruned&) {
    state = TrialState::kPruned;
  } catch (const std::exception& e) {
    state = TrialState::kFail;
    trial.set_system_attr("fail_reason", e.what());
    if (!run.is_caught(e)) run.fail_run(std::current_exception());
  } catch (...) {
    state = TrialState::kFail;
    trial.set_system_attr("fail_reason", "the objective threw a non-standard exception");
    run.fail_run(std::current_exception());
  }
  TrialPtr finished = study.tell(trial, state, values);
  for (const Callback& callback : options.callbacks) callback(study, *finished);
}

}  // namespace

void run_optimize(Study& study, const MultiObjective& objective, const OptimizeOptions& options) {
  int n_jobs = options.n_jobs;
  if (n_jobs == -1) n_jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (n_jobs < 1) {
    throw std::invalid_argument("n_jobs must be >= 1 or -1, got " + std::to_string(options.n_jobs));
  }
  if (options.n_trials && *options.n_trials < 0) {
    throw std::invalid_argument("n_trials must be >= 0, got " + std::to_string(*options.n_trials));
  }
  if (options.timeout_seconds && !(*options.timeout_seconds >= 0.0)) {
    throw std::invalid_argument("timeout must be >= 0 seconds");
  }

  study.clear_stop();
  RunState run(study, options);
  auto worker = [&] {
    while (run.claim_trial()) {
      try {
        run_one_trial(study, objective, options, run);
      } catch (...) {
        // ask/tell/callback failures (storage, sampler): end the run and report.
        run.fail_run(std::current_exception());
      }
    }
  };

  if (n_jobs == 1) {
    worker();
  } else {
    std::vector<std::jthread> workers;
    workers.reserve(static_cast<size_t>(n_jobs));
    for (int i = 0; i < n_jobs; ++i) workers.emplace_back(worker);
  }
  run.rethrow_if_failed();
}

}  // namespace hpo
