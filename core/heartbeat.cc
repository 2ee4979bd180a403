// Heartbeat: a condition-variable loop that stamps running trials at the storage's interval.
#include "core/heartbeat.h"

#include <chrono>
#include <exception>
#include <iostream>
#include <vector>

namespace hpo {

Heartbeat::Heartbeat(std::shared_ptr<Storage> storage, int64_t study_id)
    : storage_(std::move(storage)), study_id_(study_id), thread_([this] { run(); }) {}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Heartbeat::add(int64_t trial_id) {
  storage_->record_heartbeat(trial_id);
  {
    std::lock_guard lock(mutex_);
    running_.insert(trial_id);
  }
  wake_.notify_all();
}

void Heartbeat::remove(int64_t trial_id) {
  std::lock_guard lock(mutex_);
  running_.erase(trial_id);
}

void Heartbeat::run() {
  auto interval = std::chrono::duration<double>(storage_->heartbeat_interval_seconds());
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait(lock, [&] { return stopping_ || !running_.empty(); });
    if (wake_.wait_for(lock, interval, [&] { return stopping_; })) break;
    std::vector<int64_t> alive(running_.begin(), running_.end());
    lock.unlock();
    // A failed stamp (a busy or briefly unreachable database) is retried next interval; the
    // grace period is several intervals long, so one miss does not fail a live trial.
    try {
      for (int64_t id : alive) storage_->record_heartbeat(id);
      storage_->fail_stale_trials(study_id_);
    } catch (const std::exception& e) {
      std::cerr << "hpo: heartbeat failed, will retry: " << e.what() << "\n";
    }
    lock.lock();
  }
}

}  // namespace hpo
