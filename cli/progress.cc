#include "cli/progress.h"

#include <string>

namespace hpo::cli {
namespace {

std::string clock_text(double seconds) {
  auto s = static_cast<int64_t>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buffer;
}

std::string value_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

}  // namespace

Progress::Progress(ProgressOptions options, const Trials& existing, std::FILE* out)
    : options_(options), out_(out) {
  for (const TrialPtr& t : existing) count(*t);
  done_at_start_ = complete_ + pruned_;
}

void Progress::count(const FrozenTrial& trial) {
  switch (trial.state) {
    case TrialState::kComplete: {
      ++complete_;
      if (!options_.single_objective || trial.values.size() != 1) break;
      double v = trial.values[0];
      bool better = options_.direction == StudyDirection::kMinimize ? v < best_.value_or(v + 1)
                                                                    : v > best_.value_or(v - 1);
      if (!best_ || better) best_ = v;
      break;
    }
    case TrialState::kPruned: ++pruned_; break;
    case TrialState::kFail: ++failed_; break;
    default: break;
  }
}

void Progress::trial_finished(const FrozenTrial& trial) {
  std::lock_guard lock(mutex_);
  count(trial);
  if (options_.quiet) return;
  if (options_.terminal) {
    draw_line();
  } else {
    log_trial(trial);
  }
}

void Progress::draw_line() {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int64_t done = complete_ + pruned_;
  std::string line = "trials " + std::to_string(done);
  if (options_.n_trials) line += "/" + std::to_string(*options_.n_trials);
  line += " | " + std::to_string(complete_) + " complete, " + std::to_string(pruned_) +
          " pruned, " + std::to_string(failed_) + " failed";
  if (best_) line += " | best " + value_text(*best_);
  line += " | " + clock_text(elapsed);
  int64_t done_now = done - done_at_start_;
  if (options_.n_trials && done_now > 0 && done < *options_.n_trials) {
    double eta = elapsed / static_cast<double>(done_now) *
                 static_cast<double>(*options_.n_trials - done);
    line += ", ETA " + clock_text(eta);
  }
  std::fprintf(out_, "\r%s\033[K", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void Progress::log_trial(const FrozenTrial& trial) {
  std::string line = "trial " + std::to_string(trial.number) + " " +
                     std::string(to_string(trial.state));
  if (trial.state == TrialState::kComplete) {
    line += " value";
    for (double v : trial.values) line += " " + value_text(v);
  } else if (trial.state == TrialState::kFail) {
    auto it = trial.system_attrs.find("fail_reason");
    if (it != trial.system_attrs.end() && it->is_string()) {
      std::string reason = it->get<std::string>();
      if (size_t nl = reason.find('\n'); nl != std::string::npos) reason = reason.substr(0, nl);
      line += ": " + reason;
    }
  } else if (trial.state == TrialState::kPruned) {
    if (auto step = trial.last_step()) line += " at step " + std::to_string(*step);
  }
  line += " | " + std::to_string(complete_ + pruned_);
  if (options_.n_trials) line += "/" + std::to_string(*options_.n_trials);
  line += " done";
  if (best_) line += ", best " + value_text(*best_);
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (drawn_) std::fprintf(out_, "\n");
  drawn_ = false;
}

}  // namespace hpo::cli
