// The `hpo` command line: argument parsing only. Each command lives in run_command.*,
// study_commands.* or report_command.*.
#include <CLI/CLI.hpp>

#include "cli/report_command.h"
#include "cli/run_command.h"
#include "cli/study_commands.h"

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
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--n-jobs", n_jobs, "Trials run at once")->check(CLI::Range(1, 1024));
  run_cmd->add_option("--storage", storage, "Storage URL (default: the file's, or <stem>.db)");
  run_cmd->add_option("--study", study_name, "Study name (default: stem + study key)");
  run_cmd->add_option("--grace-period", grace,
                      "Seconds between SIGTERM/SIGINT and SIGKILL for objective processes")
      ->check(CLI::NonNegativeNumber);
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
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
