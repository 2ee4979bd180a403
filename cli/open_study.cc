#include "cli/open_study.h"

#include <filesystem>

#include "cli/study_file.h"
#include "cli/study_key.h"
#include "core/factory.h"
#include "storage/sqlite/sqlite_url.h"

namespace hpo::cli {

ResolvedStudy resolve_study(const StudyRef& ref) {
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

std::shared_ptr<Storage> open_existing_storage(const std::string& url, StorageAccess access) {
  if (auto problem = check_storage_url(url)) throw UsageError("--storage: " + *problem);
  std::string open_url = url;
  if (sqlite::is_sqlite_url(url)) {
    std::string path;
    bool mode_given = false;
    try {
      path = sqlite::sqlite_url_path(url);
      mode_given = sqlite::sqlite_url_options(url).contains("mode");
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--storage: ") + e.what());
    }
    // Opening a missing file would create an empty database and then report an empty or
    // unknown study, leaving that file behind.
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      throw UsageError("there is no study database at '" + path +
                       "'; check the path, or run the study first (hpo run creates it)");
    }
    if (access == StorageAccess::kRead && !mode_given) {
      open_url += url.find('?') == std::string::npos ? "?mode=ro" : "&mode=ro";
    }
  }
  try {
    return make_storage(open_url);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--storage: ") + e.what());
  }
}

std::shared_ptr<Study> open_study(const StudyRef& ref, StorageAccess access) {
  ResolvedStudy r = resolve_study(ref);
  return Study::load(r.name, open_existing_storage(r.storage_url, access));
}

}  // namespace hpo::cli
