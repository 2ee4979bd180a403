// `hpo report STUDY [--storage URL] -o report.html`: the study report as one HTML file.
#pragma once

#include <string>

#include "cli/open_study.h"
#include "core/study.h"

namespace hpo::cli {

// Writes the report of `ref`'s study to `output` (atomically). Returns the exit code: 2 for bad
// usage or an unknown study (the message lists the studies the storage has), 1 when the
// storage fails or the file cannot be written.
int write_report(const StudyRef& ref, const std::string& output);

// The report page of a loaded study, as `hpo run` writes it for outputs.report.
std::string report_html(const Study& study);

}  // namespace hpo::cli
