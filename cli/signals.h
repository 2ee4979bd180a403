// Ctrl+C and SIGTERM for `hpo run`, and the registry of running objective processes.
//
// The first SIGINT or SIGTERM marks the run interrupted, calls `on_first` (which stops new
// trials), forwards SIGINT to every running objective's process group and, once the grace
// period is over, sends SIGKILL to the groups still running. A second signal sends SIGKILL at
// once. So with any number of jobs, Ctrl+C never waits longer than the grace period.
//
// Signals are taken synchronously: the constructor blocks SIGINT and SIGTERM in the calling
// thread (threads started later inherit that mask) and a watcher thread collects them with
// sigtimedwait. Build the controller before starting any other thread. Objective processes
// must be spawned with the default mask (objective_process does so).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace hpo::cli {

class InterruptController {
 public:
  InterruptController(double grace_period_seconds, std::function<void()> on_first);
  // Stops the watcher and restores the signal mask. noexcept.
  ~InterruptController();
  InterruptController(const InterruptController&) = delete;
  InterruptController& operator=(const InterruptController&) = delete;

  // Registers a running objective's process group. A group added after an interrupt gets
  // SIGINT at once (and SIGKILL if the run was already killed).
  void add_child(pid_t pgid);
  void remove_child(pid_t pgid);

  bool interrupted() const { return signals_ > 0; }
  // The number of SIGINT/SIGTERM received so far.
  int signal_count() const { return signals_; }

 private:
  void watch();
  void on_signal(int signo);
  void signal_children(int signo);  // REQUIRES: mutex_ held

  double grace_period_seconds_;
  std::function<void()> on_first_;
  std::atomic<int> signals_{0};
  std::atomic<bool> quit_{false};
  std::mutex mutex_;
  std::set<pid_t> children_;  // GUARDED_BY(mutex_)
  bool killed_ = false;       // GUARDED_BY(mutex_): SIGKILL has been sent to every group
  std::optional<std::chrono::steady_clock::time_point> kill_at_;  // GUARDED_BY(mutex_)
  std::thread watcher_;
};

}  // namespace hpo::cli
