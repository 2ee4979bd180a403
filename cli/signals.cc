#include "cli/signals.h"

#include <signal.h>

#include <cerrno>
#include <ctime>

namespace hpo::cli {
namespace {

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

InterruptController::InterruptController(double grace_period_seconds,
                                         std::function<void()> on_first)
    : grace_period_seconds_(grace_period_seconds), on_first_(std::move(on_first)) {
  sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this] { watch(); });
}

InterruptController::~InterruptController() {
  quit_ = true;
  if (watcher_.joinable()) watcher_.join();
  // Signals that arrived after the run are dropped with the mask: the process is exiting.
  sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void InterruptController::add_child(pid_t pgid) {
  std::lock_guard lock(mutex_);
  children_.insert(pgid);
  if (killed_) {
    kill(-pgid, SIGKILL);
  } else if (interrupted()) {
    kill(-pgid, SIGINT);
  }
}

void InterruptController::remove_child(pid_t pgid) {
  std::lock_guard lock(mutex_);
  children_.erase(pgid);
}

void InterruptController::signal_children(int signo) {
  for (pid_t pgid : children_) kill(-pgid, signo);
}

void InterruptController::on_signal(int signo) {
  (void)signo;
  int count = ++signals_;
  if (count == 1) {
    if (on_first_) on_first_();
    std::lock_guard lock(mutex_);
    signal_children(SIGINT);
    kill_at_ = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(grace_period_seconds_));
  } else {
    std::lock_guard lock(mutex_);
    killed_ = true;
    signal_children(SIGKILL);
  }
}

void InterruptController::watch() {
  sigset_t set = interrupt_signals();
  // A short wait bounds both the shutdown delay and the lateness of the grace-period kill.
  timespec tick{0, 20 * 1000 * 1000};
  while (!quit_) {
    int signo = sigtimedwait(&set, nullptr, &tick);
    if (signo > 0) on_signal(signo);
    std::lock_guard lock(mutex_);
    if (!killed_ && kill_at_ && std::chrono::steady_clock::now() >= *kill_at_) {
      killed_ = true;
      signal_children(SIGKILL);
    }
  }
}

}  // namespace hpo::cli
