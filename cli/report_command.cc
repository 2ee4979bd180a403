#include "cli/report_command.h"

#include <cstdio>
#include <filesystem>

#include "cli/outputs.h"
#include "cli/run_command.h"
#include "cli/study_file.h"
#include "cli/study_key.h"
#include "core/factory.h"
#include "report/html_page.h"
#include "report/study_data.h"

namespace hpo::cli {
namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The study name and storage URL STUDY stands for, as the other study commands read it.
std::pair<std::string, std::string> resolve(const StudyRef& ref) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(ref.study, ec)) {
    try {
      StudyFile file = load_study_file(ref.study);
      return {study_name_for(file), ref.storage_url.value_or(file.storage_url)};
    } catch (const StudyFileError& e) {
      throw UsageError(ref.study + " has problems:\n" + e.what());
    }
  }
  if (!ref.storage_url) {
    throw UsageError("'" + ref.study +
                     "' is not a study file; to name a stored study, give "
                     "--storage URL as well");
  }
  return {ref.study, *ref.storage_url};
}

}  // namespace

std::string report_html(const Study& study) {
  return report::render_report(report::gather_report_data(study));
}

int write_report(const StudyRef& ref, const std::string& output) {
  try {
    if (output.empty()) throw UsageError("-o needs a file name, e.g. -o report.html");
    auto [name, url] = resolve(ref);
    if (auto problem = check_storage_url(url)) throw UsageError("--storage: " + *problem);
    std::shared_ptr<Storage> storage = make_storage(url);
    if (!storage->find_study_id(name)) {
      std::string names;
      for (const StudySummary& s : storage->get_all_studies()) {
        names += (names.empty() ? "" : ", ") + s.study_name;
      }
      // Not the URL: a PostgreSQL URL may carry a password.
      throw UsageError("no study named '" + name + "' in the storage; it has " +
                       (names.empty() ? std::string("no studies") : "these: " + names));
    }
    std::shared_ptr<Study> study = Study::load(name, storage);
    write_file_atomically(output, report_html(*study));
    std::printf("wrote %s (%zu trials)\n", output.c_str(), study->get_trials().size());
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
