#include "cli/run_command.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/metric_parser.h"
#include "cli/objective_process.h"
#include "cli/outputs.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "cli/study_file.h"
#include "cli/study_key.h"
#include "core/errors.h"
#include "core/factory.h"
#include "core/study.h"

namespace hpo::cli {
namespace {

const char* const kInterrupted = "interrupted";

// `text` with every byte that is not valid UTF-8 replaced by U+FFFD: storage writes JSON, and
// a command's stderr may hold anything.
std::string utf8_safe(const std::string& text) {
  return nlohmann::json::parse(
             nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}

// Ends a trial as FAIL with its reason; the only objective error optimize() catches.
struct TrialFailure : std::runtime_error {
  explicit TrialFailure(const std::string& reason) : std::runtime_error(utf8_safe(reason)) {}
};

ParamValue suggest(Trial& trial, const ParamSpec& p) {
  if (const auto* f = std::get_if<FloatDistribution>(&p.distribution)) {
    return trial.suggest_float(p.name, f->low, f->high, FloatOptions{f->step, f->log});
  }
  if (const auto* i = std::get_if<IntDistribution>(&p.distribution)) {
    return trial.suggest_int(p.name, i->low, i->high, IntOptions{i->step, i->log});
  }
  return trial.suggest_categorical(p.name, std::get<CategoricalDistribution>(p.distribution).choices);
}

std::string signal_name(int signo) {
  const char* abbrev = sigabbrev_np(signo);
  return abbrev != nullptr ? "SIG" + std::string(abbrev) : "signal " + std::to_string(signo);
}

std::string with_stderr(std::string reason, const ProcessResult& r) {
  if (r.stderr_tail.empty()) return reason;
  reason += "; last lines of stderr:";
  for (const std::string& line : r.stderr_tail) reason += "\n" + line;
  return reason;
}

std::string read_text(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw TrialFailure("missing metric: the command wrote no file '" + path + "'");
  std::string text;
  char buffer[65536];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  std::fclose(f);
  return text;
}

// Runs one trial's command and turns its outcome into values, TrialPruned or TrialFailure.
class TrialRunner {
 public:
  TrialRunner(const StudyFile& file, const std::string& study_name,
              InterruptController& interrupts)
      : file_(file), study_name_(study_name), interrupts_(interrupts) {}

  std::vector<double> operator()(Trial& trial) const {
    std::map<std::string, std::string> texts;
    nlohmann::json params = nlohmann::json::object();
    for (const ParamSpec& p : file_.search_space) {
      ParamValue v = suggest(trial, p);
      texts[p.name] = param_text(v);
      params[p.name] = to_json(v);
    }
    // Checked after suggesting, so an enqueued trial taken in the race keeps its params.
    if (interrupts_.interrupted()) throw TrialFailure(kInterrupted);
    std::string number = std::to_string(trial.number());
    texts["trial_number"] = number;

    const ObjectiveSpec& o = file_.objective;
    ProcessSpec spec;
    spec.command = substitute_placeholders(o.command, texts);
    spec.env = o.env;
    spec.env["HPO_PARAMS"] = params.dump();
    spec.env["HPO_TRIAL_NUMBER"] = number;
    spec.env["HPO_STUDY_NAME"] = study_name_;
    spec.working_dir = o.working_dir;
    if (!file_.outputs.logs.empty()) {
      spec.log_path = (std::filesystem::path(file_.outputs.logs) / ("trial_" + number + ".log"))
                          .string();
      trial.set_system_attr("hpo:log", spec.log_path);
    }
    spec.timeout_seconds = o.timeout_seconds;
    spec.grace_period_seconds = o.grace_period_seconds;

    const bool intermediate = file_.directions.size() == 1 && !o.metric.keys.empty();
    LineHandler on_line = [&](std::string_view line) {
      if (!intermediate) return false;
      std::optional<IntermediateValue> v = parse_intermediate(line, o.metric.keys[0]);
      if (!v) return false;
      trial.report(v->value, v->step);
      return trial.should_prune();
    };
    const std::string metric_file = metric_file_path(number);
    if (!metric_file.empty()) {
      // A file left by an earlier trial must not pass for this trial's metric.
      std::error_code ec;
      std::filesystem::remove(metric_file, ec);
    }
    ProcessResult r = run_objective_process(spec, on_line, &interrupts_);
    trial.set_system_attr("hpo:exit_code", r.exit_code);
    if (r.end == ProcessEnd::kStopped) throw TrialPruned();
    bool clean = r.end == ProcessEnd::kExited && r.exit_code == 0;
    if (!clean && interrupts_.interrupted()) throw TrialFailure(kInterrupted);
    if (r.end == ProcessEnd::kTimedOut) {
      throw TrialFailure(with_stderr("timed out after " + param_text(*o.timeout_seconds) + " s",
                                     r));
    }
    if (r.end == ProcessEnd::kSignaled) {
      throw TrialFailure(with_stderr("the command was killed by " + signal_name(r.signal), r));
    }
    if (r.exit_code != 0) {
      throw TrialFailure(with_stderr("the command exited with code " +
                                         std::to_string(r.exit_code), r));
    }
    MetricResult m;
    switch (o.metric.source) {
      case MetricSource::kStdoutJson:
        m = parse_final_json_line(r.last_json_line, o.metric.keys);
        break;
      case MetricSource::kLastNumber:
        m = parse_final_last_number(r.last_number);
        break;
      case MetricSource::kFile:
        m = parse_metric_document(read_text(metric_file), o.metric.file_is_yaml, o.metric.keys,
                                  "'" + metric_file + "'");
        break;
    }
    if (!m.ok()) throw TrialFailure(m.error);
    return m.values;
  }

 private:
  // The metric file of trial `number`, or "" when the metric is not read from a file.
  std::string metric_file_path(const std::string& number) const {
    if (file_.objective.metric.source != MetricSource::kFile) return "";
    std::string path = file_.objective.metric.file;
    for (size_t at; (at = path.find("{trial_number}")) != std::string::npos;) {
      path.replace(at, 14, number);
    }
    return path;
  }

  const StudyFile& file_;
  const std::string& study_name_;
  InterruptController& interrupts_;
};

int64_t count_done(const Study& study) {
  return static_cast<int64_t>(study.get_trials({TrialState::kComplete, TrialState::kPruned}).size());
}

void print_result(const Study& study, const StudyFile& file, const std::string& storage_url,
                  const std::vector<std::string>& written) {
  Trials best = study.best_trials();
  std::string url = storage_url;
  if (url.find('@') != std::string::npos) url = url.substr(0, url.find(':')) + "://...";
  std::printf("study: %s (%s)\n", study.study_name().c_str(), url.c_str());
  if (best.empty()) {
    std::printf("no trial completed\n");
  } else if (file.directions.size() == 1) {
    std::printf("best value: %s (trial %lld)\n", param_text(ParamValue(best[0]->values[0])).c_str(),
                static_cast<long long>(best[0]->number));
    std::printf("best params:\n");
    for (const auto& [name, value] : best[0]->external_params()) {
      std::printf("  %s: %s\n", name.c_str(), param_text(value).c_str());
    }
  } else {
    std::printf("pareto front: %zu trials\n", best.size());
    for (const TrialPtr& t : best) {
      std::string values;
      for (double v : t->values) values += " " + param_text(ParamValue(v));
      std::printf("  trial %lld:%s\n", static_cast<long long>(t->number), values.c_str());
    }
  }
  for (const std::string& path : written) std::printf("wrote %s\n", path.c_str());
  std::fflush(stdout);
}

}  // namespace

int run_study(const std::string& study_file, const RunOverrides& overrides) {
  StudyFile file;
  try {
    file = load_study_file(study_file);
  } catch (const StudyFileError& e) {
    std::fprintf(stderr, "error: %s has problems:\n%s", study_file.c_str(), e.what());
    return kExitUsage;
  }
  if (overrides.n_trials) file.n_trials = overrides.n_trials;
  if (overrides.timeout_seconds) file.timeout_seconds = overrides.timeout_seconds;
  if (overrides.n_jobs) file.n_jobs = *overrides.n_jobs;
  if (overrides.study_name) file.study_name = overrides.study_name;
  if (overrides.grace_period_seconds) {
    file.objective.grace_period_seconds = *overrides.grace_period_seconds;
  }
  if (overrides.storage_url) {
    if (auto problem = check_storage_url(*overrides.storage_url)) {
      std::fprintf(stderr, "error: --storage: %s\n", problem->c_str());
      return kExitUsage;
    }
    file.storage_url = *overrides.storage_url;
  }
  if (file.n_jobs > 1 && file.objective.metric.source == MetricSource::kFile &&
      file.objective.metric.file.find("{trial_number}") == std::string::npos) {
    std::fprintf(stderr, "error: %s: objective.metric.file: with n_jobs > 1, trials would share "
                         "one metric file; put {trial_number} in its name\n", study_file.c_str());
    return kExitUsage;
  }
  if (!file.n_trials && !file.timeout_seconds) {
    std::fprintf(stderr, "error: %s: budget: give budget.n_trials or budget.timeout in the "
                         "file, or --n-trials / --timeout\n", study_file.c_str());
    return kExitUsage;
  }

  std::shared_ptr<Study> study;
  std::atomic<bool> study_ready{false};
  InterruptController interrupts(file.objective.grace_period_seconds, [&] {
    if (study_ready) study->stop();
  });
  std::unique_ptr<Progress> progress;
  try {
    std::string name = study_name_for(file);
    std::shared_ptr<Storage> storage;
    try {
      storage = make_storage(file.storage_url);
    } catch (const std::invalid_argument& e) {
      // A bad option in the URL (unknown, misspelled, out of range) is bad usage: nothing was
      // opened yet.
      std::fprintf(stderr, "error: %s: %s\n", overrides.storage_url ? "--storage" : "storage",
                   e.what());
      return kExitUsage;
    }
    CreateStudyOptions create;
    create.storage = storage;
    create.sampler = make_sampler(file.sampler, file.sampler_options);
    create.pruner = make_pruner(file.pruner, file.pruner_options);
    create.study_name = name;
    create.directions = file.directions;
    create.load_if_exists = true;
    try {
      study = Study::create(create);
    } catch (const DuplicatedStudyError&) {
      // Another process created it between Study::create's lookup and its insert: load it.
      study = Study::create(create);
    }
    study_ready = true;
    if (interrupts.interrupted()) study->stop();
    if (!file.study_name) {
      nlohmann::json attrs = study->system_attrs();
      if (!attrs.contains("hpo:study_key")) {
        study->set_system_attr("hpo:study_key", study_key(file));
        study->set_system_attr("hpo:study_file", file.path);
      }
    }

    ProgressOptions po;
    po.quiet = overrides.quiet;
    po.terminal = isatty(STDERR_FILENO) != 0;
    po.n_trials = file.n_trials;
    po.direction = file.directions[0];
    po.single_objective = file.directions.size() == 1;
    progress = std::make_unique<Progress>(po, study->get_trials(), stderr);

    OptimizeOptions options;
    if (file.n_trials) options.n_trials = std::max<int64_t>(0, *file.n_trials - count_done(*study));
    options.timeout_seconds = file.timeout_seconds;
    options.n_jobs = file.n_jobs;
    options.catch_exceptions.push_back(catch_type<TrialFailure>());
    options.callbacks.push_back([&](Study& s, const FrozenTrial& t) {
      auto reason = t.system_attrs.find("fail_reason");
      if (t.state == TrialState::kFail && reason != t.system_attrs.end() &&
          *reason == kInterrupted && !t.params.empty()) {
        // Put back first in line, so a resume runs these params before sampling new ones.
        s.enqueue_trial(t.external_params());
      }
      // optimize() clears a stop that came before it started: ask again after each trial.
      if (interrupts.interrupted()) s.stop();
      // Other processes may share the study: its budget is spent when their trials and ours
      // together reach it (running trials then finish, so the overshoot is at most the
      // number of trials running at that moment).
      if (file.n_trials && count_done(s) >= *file.n_trials) s.stop();
      progress->trial_finished(t);
    });
    TrialRunner runner(file, name, interrupts);
    if (!interrupts.interrupted() && options.n_trials.value_or(1) > 0) {
      study->optimize(MultiObjective(std::cref(runner)), options);
    }
    progress->finish();
    std::vector<std::string> written = write_outputs(file.outputs, *study);
    if (!overrides.quiet && options.n_trials && *options.n_trials == 0) {
      std::fprintf(stderr, "the budget of %lld trials is already spent; nothing to run\n",
                   static_cast<long long>(*file.n_trials));
    }
    print_result(*study, file, file.storage_url, written);
    if (interrupts.interrupted()) {
      std::fprintf(stderr, "interrupted: run the same command again to resume\n");
      return kExitInterrupted;
    }
    if (study->best_trials().empty()) {
      // With --quiet nothing else says why: show the last trial's reason (bad metric, exit
      // code, timeout), which usually is every trial's.
      std::string last_reason;
      for (const auto& t : study->get_trials({TrialState::kFail})) {
        auto reason = t->system_attrs.find("fail_reason");
        if (reason != t->system_attrs.end() && reason->is_string()) {
          last_reason = "trial " + std::to_string(t->number) + ": " +
                        reason->get<std::string>();
        }
      }
      std::fprintf(stderr, "error: no trial completed%s%s; see the trial logs%s%s\n",
                   last_reason.empty() ? "" : ", the last failed with ", last_reason.c_str(),
                   file.outputs.logs.empty() ? "" : " in ", file.outputs.logs.c_str());
      return kExitError;
    }
    return kExitOk;
  } catch (const std::exception& e) {
    if (progress) progress->finish();
    std::fprintf(stderr, "error: %s\n", e.what());
    if (study) {
      try {
        write_outputs(file.outputs, *study);
      } catch (const std::exception&) {
        // The first error is the one to report.
      }
    }
    return interrupts.interrupted() ? kExitInterrupted : kExitError;
  }
}

}  // namespace hpo::cli
