// What the study commands (studies, trials, best, export, delete, report) share: turning STUDY
// and --storage into a study name and a storage, and reporting errors with the exit code.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/run_command.h"
#include "core/storage.h"
#include "core/study.h"

namespace hpo::cli {

// STUDY is a study file (its storage and key-derived name are used) or a study name, which
// needs --storage.
struct StudyRef {
  std::string study;
  std::optional<std::string> storage_url;
};

// Thrown for bad usage (exit 2) rather than a failure of the command itself.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ResolvedStudy {
  std::string name;
  std::string storage_url;
};

// The study name and storage URL `ref` stands for. Throws UsageError for a study file with
// problems (all of them, with their lines) or a bare name without --storage.
ResolvedStudy resolve_study(const StudyRef& ref);

enum class StorageAccess { kRead, kReadWrite };

// Opens the storage at `url` for a command that only reads it (kRead) or also deletes from it.
// Neither creates anything: a missing SQLite file is a UsageError naming the path, not a new
// empty database. kRead opens an SQLite file with mode=ro (unless the URL sets mode), so the
// command never writes the file and works while another process holds the write lock, or on
// a read-only medium. Throws UsageError for a bad URL, StorageError if the storage fails.
std::shared_ptr<Storage> open_existing_storage(const std::string& url, StorageAccess access);

// resolve_study + open_existing_storage + Study::load. Throws NotFoundError for an unknown
// study name.
std::shared_ptr<Study> open_study(const StudyRef& ref, StorageAccess access);

// Runs `body`, printing any exception as one "error: ..." line on stderr; returns the exit
// code: kExitUsage for a UsageError, kExitError for any other exception, else kExitOk.
template <class F>
int guarded(F&& body) {
  try {
    body();
    return kExitOk;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace hpo::cli
