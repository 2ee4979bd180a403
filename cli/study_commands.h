// The commands that read or change stored studies: studies, trials, best, export, delete.
#pragma once

#include <optional>
#include <string>

#include "cli/open_study.h"

namespace hpo::cli {

// Each returns the exit code. All but delete_study open the storage read-only (see
// open_existing_storage): they never write the database.

int list_studies(const std::optional<std::string>& storage_url);
int show_trials(const StudyRef& ref);
int show_best(const StudyRef& ref);
int export_trials(const StudyRef& ref, const std::string& format);
int delete_study(const StudyRef& ref);

}  // namespace hpo::cli
