#include "cli/study_commands.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "cli/objective_process.h"
#include "cli/outputs.h"
#include "cli/run_command.h"
#include "cli/study_file.h"
#include "cli/study_key.h"
#include "core/errors.h"
#include "core/factory.h"
#include "core/study.h"

namespace hpo::cli {
namespace {

// Thrown for bad usage (exit 2) rather than a failure of the command itself.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Resolved {
  std::string name;
  std::string storage_url;
};

Resolved resolve(const StudyRef& ref) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(ref.study, ec)) {
    StudyFile file;
    try {
      file = load_study_file(ref.study);
    } catch (const StudyFileError& e) {
      throw UsageError(ref.study + " has problems:\n" + e.what());
    }
    return {study_name_for(file), ref.storage_url.value_or(file.storage_url)};
  }
  if (!ref.storage_url) {
    throw UsageError("'" + ref.study + "' is not a study file; to name a stored study, give "
                     "--storage URL as well");
  }
  return {ref.study, *ref.storage_url};
}

std::shared_ptr<Storage> open_storage(const std::string& url) {
  if (auto problem = check_storage_url(url)) throw UsageError("--storage: " + *problem);
  if (url.rfind("sqlite:///", 0) == 0) {
    // These commands only read (or delete from) a database: opening a missing file would
    // create an empty one and then report an empty or unknown study.
    std::string path = url.substr(10, url.find('?') == std::string::npos ? std::string::npos
                                                                        : url.find('?') - 10);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      throw UsageError("there is no study database at '" + path +
                       "'; check the path, or run the study first (hpo run creates it)");
    }
  }
  try {
    return make_storage(url);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--storage: ") + e.what());
  }
}

std::shared_ptr<Study> open_study(const StudyRef& ref) {
  Resolved r = resolve(ref);
  return Study::load(r.name, open_storage(r.storage_url));
}

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

std::string values_text(const FrozenTrial& t) {
  std::string s;
  for (double v : t.values) s += (s.empty() ? "" : ",") + param_text(ParamValue(v));
  return s.empty() ? "-" : s;
}

}  // namespace

int list_studies(const std::optional<std::string>& storage_url) {
  return guarded([&] {
    if (!storage_url) throw UsageError("give --storage URL, e.g. --storage sqlite:///study.db");
    std::shared_ptr<Storage> storage = open_storage(*storage_url);
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
    std::shared_ptr<Study> study = open_study(ref);
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
    std::shared_ptr<Study> study = open_study(ref);
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
    std::shared_ptr<Study> study = open_study(ref);
    std::string text = format == "csv" ? trials_csv(*study) : trials_json(*study).dump(2) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
  });
}

int delete_study(const StudyRef& ref) {
  return guarded([&] {
    Resolved r = resolve(ref);
    std::shared_ptr<Storage> storage = open_storage(r.storage_url);
    std::optional<int64_t> id = storage->find_study_id(r.name);
    if (!id) throw std::runtime_error("no study named '" + r.name + "'");
    storage->delete_study(*id);
    std::printf("deleted study '%s'\n", r.name.c_str());
  });
}

}  // namespace hpo::cli
