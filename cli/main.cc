// The `hpo` command line: argument parsing only. Each command lives in run_command.*,
// study_commands.* or report_command.*.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/report_command.h"
#include "cli/run_command.h"
#include "core/option_reader.h"
#include "cli/study_commands.h"

namespace {

// Seconds for --timeout (zero_ok false) and --grace-period (zero_ok true). CLI11's
// PositiveNumber and NonNegativeNumber let "nan" through (every comparison with NaN is false),
// and a NaN timeout would then run the study with no limit at all.
CLI::Validator finite_seconds(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& text) -> std::string {
        std::size_t used = 0;
        double v = 0.0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          return "must be a number of seconds, got '" + text + "'";
        }
        if (used != text.size() || !std::isfinite(v) || v < 0 || (v == 0 && !zero_ok)) {
          return std::string("must be a finite number of seconds ") +
                 (zero_ok ? ">= 0" : "> 0") + ", got '" + text + "'";
        }
        return "";
      },
      zero_ok ? "SECONDS>=0" : "SECONDS>0");
}

// After CLI11's "arguments were not expected": for each unknown --flag, the closest flag of the
// command, so that a typo reads as one (CLI11 only lists what it could not place).
void suggest_flags(CLI::App& app, int argc, char** argv) {
  CLI::App* command = &app;
  for (CLI::App* sub : app.get_subcommands()) command = sub;
  std::vector<std::string> known;
  for (const CLI::Option* option : command->get_options()) {
    for (const std::string& name : option->get_lnames()) known.push_back("--" + name);
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) continue;
    arg = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), arg) != known.end()) continue;
    if (auto guess = hpo::did_you_mean(arg, known)) {
      std::fprintf(stderr, "%s: unknown option; did you mean '%s'?\n", arg.c_str(),
                   guess->c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hpo::cli;
  CLI::App app{"hpo: hyperparameter optimization as a pipeline stage"};
  app.require_subcommand(1);
  int exit_code = kExitOk;

  std::string study_file;
  RunOverrides run;
  std::optional<int64_t> n_trials;
  std::optional<double> timeout, grace;
  std::optional<int> n_jobs;
  std::optional<std::string> storage, study_name;
  CLI::App* run_cmd = app.add_subcommand("run", "Run (or resume) the study a study file describes");
  run_cmd->add_option("STUDY", study_file, "The study file (YAML)")->required();
  run_cmd->add_option("--n-trials", n_trials, "Budget: COMPLETE + PRUNED trials of the study")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  run_cmd->add_option("--timeout", timeout, "Start no trial after this many seconds")
      ->check(finite_seconds(false));
  run_cmd->add_option("--n-jobs", n_jobs, "Trials run at once")->check(CLI::Range(1, 1024));
  run_cmd->add_option("--storage", storage, "Storage URL (default: the file's, or <stem>.db)");
  run_cmd->add_option("--study", study_name, "Study name (default: stem + study key)");
  run_cmd->add_option("--grace-period", grace,
                      "Seconds between SIGTERM/SIGINT and SIGKILL for objective processes")
      ->check(finite_seconds(true));
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print only the result");
  run_cmd->callback([&] {
    run.n_trials = n_trials;
    run.timeout_seconds = timeout;
    run.n_jobs = n_jobs;
    run.storage_url = storage;
    run.study_name = study_name;
    run.grace_period_seconds = grace;
    exit_code = run_study(study_file, run);
  });

  std::optional<std::string> list_storage;
  CLI::App* studies = app.add_subcommand("studies", "List the studies of a storage");
  studies->add_option("--storage", list_storage, "Storage URL, e.g. sqlite:///study.db")
      ->required();
  studies->callback([&] { exit_code = list_studies(list_storage); });

  StudyRef ref;
  auto add_ref = [&](CLI::App* cmd) {
    cmd->add_option("STUDY", ref.study, "A study file, or a study name with --storage")
        ->required();
    cmd->add_option("--storage", ref.storage_url, "Storage URL (default: the study file's)");
  };
  CLI::App* trials = app.add_subcommand("trials", "Print the trials of a study");
  add_ref(trials);
  trials->callback([&] { exit_code = show_trials(ref); });
  CLI::App* best = app.add_subcommand("best", "Print the best trial of a study");
  add_ref(best);
  best->callback([&] { exit_code = show_best(ref); });
  std::string format = "csv";
  CLI::App* exporter = app.add_subcommand("export", "Write a study's trials to stdout");
  add_ref(exporter);
  exporter->add_option("--format", format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}));
  exporter->callback([&] { exit_code = export_trials(ref, format); });
  CLI::App* remove = app.add_subcommand("delete", "Delete a study and its trials");
  add_ref(remove);
  remove->callback([&] { exit_code = delete_study(ref); });
  std::string report_path;
  CLI::App* report = app.add_subcommand("report", "Write a self-contained HTML report of a study");
  add_ref(report);
  report->add_option("-o,--output", report_path, "The HTML file to write")->required();
  report->callback([&] { exit_code = write_report(ref, report_path); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) suggest_flags(app, argc, argv);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
