#include "cli/study_commands.h"

#include <cstdio>
#include <stdexcept>

#include "cli/objective_process.h"
#include "cli/outputs.h"
#include "cli/run_command.h"
#include "core/errors.h"
#include "core/study.h"

namespace hpo::cli {
namespace {

std::string values_text(const FrozenTrial& t) {
  std::string s;
  for (double v : t.values) s += (s.empty() ? "" : ",") + param_text(ParamValue(v));
  return s.empty() ? "-" : s;
}

}  // namespace

int list_studies(const std::optional<std::string>& storage_url) {
  return guarded([&] {
    if (!storage_url) throw UsageError("give --storage URL, e.g. --storage sqlite:///study.db");
    std::shared_ptr<Storage> storage = open_existing_storage(*storage_url, StorageAccess::kRead);
    std::printf("%-40s %-10s %s\n", "study", "trials", "directions");
    for (const StudySummary& s : storage->get_all_studies()) {
      std::string directions;
      for (StudyDirection d : s.directions) {
        directions += (directions.empty() ? "" : ",") + std::string(to_string(d));
      }
      std::printf("%-40s %-10lld %s\n", s.study_name.c_str(), static_cast<long long>(s.n_trials),
                  directions.c_str());
    }
  });
}

int show_trials(const StudyRef& ref) {
  return guarded([&] {
    std::shared_ptr<Study> study = open_study(ref, StorageAccess::kRead);
    std::printf("%-7s %-9s %-14s %s\n", "number", "state", "value", "params");
    for (const TrialPtr& t : study->get_trials()) {
      std::string params;
      for (const auto& [name, value] : trial_params(*t)) {
        params += (params.empty() ? "" : " ") + name + "=" + param_text(value);
      }
      std::printf("%-7lld %-9s %-14s %s\n", static_cast<long long>(t->number),
                  std::string(to_string(t->state)).c_str(), values_text(*t).c_str(),
                  params.c_str());
    }
  });
}

int show_best(const StudyRef& ref) {
  return guarded([&] {
    std::shared_ptr<Study> study = open_study(ref, StorageAccess::kRead);
    Trials best = study->best_trials();
    if (best.empty()) throw std::runtime_error("study '" + study->study_name() +
                                               "' has no COMPLETE trial");
    for (const TrialPtr& t : best) {
      std::printf("trial %lld: value %s\n", static_cast<long long>(t->number),
                  values_text(*t).c_str());
      std::printf("%s", best_params_text(t->external_params(), false).c_str());
    }
  });
}

int export_trials(const StudyRef& ref, const std::string& format) {
  return guarded([&] {
    if (format != "csv" && format != "json") {
      throw UsageError("--format must be csv or json, got '" + format + "'");
    }
    std::shared_ptr<Study> study = open_study(ref, StorageAccess::kRead);
    std::string text = format == "csv" ? trials_csv(*study) : trials_json(*study).dump(2) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
  });
}

int delete_study(const StudyRef& ref) {
  return guarded([&] {
    ResolvedStudy r = resolve_study(ref);
    std::shared_ptr<Storage> storage =
        open_existing_storage(r.storage_url, StorageAccess::kReadWrite);
    std::optional<int64_t> id = storage->find_study_id(r.name);
    if (!id) throw std::runtime_error("no study named '" + r.name + "'");
    storage->delete_study(*id);
    std::printf("deleted study '%s'\n", r.name.c_str());
  });
}

}  // namespace hpo::cli
