// The study report as one self-contained HTML page: inline CSS, inline SVG charts, the trials
// table and a few lines of inline script that sort it. The page names no external resource and
// its Content-Security-Policy forbids loading any, so it opens offline and makes no request.
#pragma once

#include <string>

#include "report/study_data.h"

namespace hpo::report {

// The whole page. Deterministic: the same data gives the same bytes. A chart without data to
// draw (no COMPLETE trial, no intermediate values, ...) is replaced by a one-line note.
std::string render_report(const ReportData& data);

// The trials table alone (<table id="trials">): number, state, value(s), one column per param,
// duration; each cell carries data-sort so numbers sort as numbers.
std::string trials_table(const ReportData& data);

}  // namespace hpo::report
