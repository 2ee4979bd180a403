// The exceptions hpo throws. Bad arguments are std::invalid_argument (ValueError in Python);
// everything specific to hpo derives from HpoError.
#pragma once

#include <stdexcept>
#include <string>

namespace hpo {

struct HpoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by an objective to end its trial as PRUNED. Control flow, as in Optuna.
struct TrialPruned : HpoError {
  TrialPruned() : HpoError("trial pruned") {}
  explicit TrialPruned(const std::string& message) : HpoError(message) {}
};

// create_study with a name that already exists (and load_if_exists off).
struct DuplicatedStudyError : HpoError {
  using HpoError::HpoError;
};

// A study name or id, or a trial id, that the storage does not hold.
struct NotFoundError : HpoError {
  using HpoError::HpoError;
};

// A write to a trial that is already COMPLETE, PRUNED or FAIL.
struct UpdateFinishedTrialError : HpoError {
  using HpoError::HpoError;
};

// The storage backend failed (I/O, corrupt file, lost connection). code() is the backend's
// own error code (an SQLite result code, say), or 0.
struct StorageError : HpoError {
  StorageError(const std::string& message, int code) : HpoError(message), code_(code) {}
  explicit StorageError(const std::string& message) : StorageError(message, 0) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

}  // namespace hpo
