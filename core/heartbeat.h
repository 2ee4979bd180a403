// Keeps this process's running trials stamped as alive, and fails other workers' stale ones.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/storage.h"

namespace hpo {

// One background thread per Study whose storage has heartbeats enabled. While at least one
// trial of this process runs, it wakes every heartbeat interval, stamps those trials, and asks
// the storage to fail the study's stale RUNNING trials: so a crashed worker's trial is failed
// (and retried, if the storage's policy says so) even while every live worker is busy with a
// long trial. The thread sleeps while nothing runs and is joined by the destructor.
class Heartbeat {
 public:
  Heartbeat(std::shared_ptr<Storage> storage, int64_t study_id);
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // Stamps the trial now and keeps stamping it until remove().
  void add(int64_t trial_id);
  void remove(int64_t trial_id);

 private:
  void run();

  std::shared_ptr<Storage> storage_;
  int64_t study_id_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<int64_t> running_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;      // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace hpo
