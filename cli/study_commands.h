// The commands that read or change stored studies: studies, trials, best, export, delete.
#pragma once

#include <optional>
#include <string>

namespace hpo::cli {

// STUDY is a study file (its storage and key-derived name are used) or a study name, which
// needs --storage. Each returns the exit code.
struct StudyRef {
  std::string study;
  std::optional<std::string> storage_url;
};

int list_studies(const std::optional<std::string>& storage_url);
int show_trials(const StudyRef& ref);
int show_best(const StudyRef& ref);
int export_trials(const StudyRef& ref, const std::string& format);
int delete_study(const StudyRef& ref);

}  // namespace hpo::cli
