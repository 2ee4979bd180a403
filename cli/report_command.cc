#include "cli/report_command.h"

#include <cstdio>

#include "cli/outputs.h"
#include "cli/run_command.h"
#include "report/html_page.h"
#include "report/study_data.h"

namespace hpo::cli {

std::string report_html(const Study& study) {
  return report::render_report(report::gather_report_data(study));
}

int write_report(const StudyRef& ref, const std::string& output) {
  return guarded([&] {
    if (output.empty()) throw UsageError("-o needs a file name, e.g. -o report.html");
    auto [name, url] = resolve_study(ref);
    std::shared_ptr<Storage> storage = open_existing_storage(url, StorageAccess::kRead);
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
  });
}

}  // namespace hpo::cli
