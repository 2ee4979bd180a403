#include "cli/study_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "cli/command_template.h"
#include "cli/yaml_checker.h"
#include "core/factory.h"
#include "core/option_reader.h"

namespace hpo::cli {
namespace fs = std::filesystem;
namespace {

std::string absolute_in(const std::string& dir, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(dir) / p;
  return p.lexically_normal().string();
}

// Reads `sampler:` or `pruner:`: a name, or {name, options}; checks the options by building
// the object through the factory.
void read_component(Checker& c, const YAML::Node& n, const std::string& kind, std::string& name,
                    nlohmann::json& options) {
  if (!n) return;
  if (n.IsScalar()) {
    name = n.Scalar();
  } else if (c.is_map(n, kind, "{name: tpe, options: {seed: 1}}")) {
    // `type:` is accepted for `name:`, as the search space's params are written {type: ...}.
    c.check_keys(n, kind, {"name", "type", "options"});
    if (n["name"] && n["type"]) {
      c.problem(n, kind + ".type", "and " + kind + ".name both given; keep one");
      return;
    }
    const char* key = n["type"] ? "type" : "name";
    if (!n[key]) {
      c.problem(n, kind + ".name", "is missing; add e.g. 'name: " +
                                       std::string(kind == "sampler" ? "tpe" : "median") + "'");
      return;
    }
    if (auto s = c.string(n[key], kind + "." + key)) name = *s;
    if (n["options"]) {
      if (!c.is_map(n["options"], kind + ".options", "{seed: 1}")) return;
      try {
        options = yaml_to_json(n["options"]);
      } catch (const std::invalid_argument& e) {
        c.problem(n["options"], kind + ".options", e.what());
        return;
      }
    }
  } else {
    return;
  }
  try {
    if (kind == "sampler") {
      make_sampler(name, options);
    } else {
      make_pruner(name, options);
    }
  } catch (const std::exception& e) {
    c.problem(n, kind, e.what());
  }
}

void read_param(Checker& c, const std::string& name, const YAML::Node& n, StudyFile& out) {
  std::string field = "search_space." + name;
  if (!c.is_map(n, field, "{type: float, low: 0.001, high: 0.1, log: true}")) return;
  if (!n["type"]) {
    c.problem(n, field + ".type", "is missing; add 'type: float', 'type: int' or "
                                  "'type: categorical'");
    return;
  }
  std::string type = n["type"].Scalar();
  try {
    if (type == "float") {
      c.check_keys(n, field, {"type", "low", "high", "step", "log"});
      if (!n["low"] || !n["high"]) {
        c.problem(n, field, "a float needs 'low' and 'high'");
        return;
      }
      auto low = c.number(n["low"], field + ".low");
      auto high = c.number(n["high"], field + ".high");
      std::optional<double> step;
      if (n["step"]) step = c.number(n["step"], field + ".step");
      bool log = false;
      if (n["log"]) log = c.boolean(n["log"], field + ".log").value_or(false);
      if (!low || !high || (n["step"] && !step)) return;
      out.search_space.push_back({name, make_float_distribution(*low, *high, step, log)});
    } else if (type == "int") {
      c.check_keys(n, field, {"type", "low", "high", "step", "log"});
      if (!n["low"] || !n["high"]) {
        c.problem(n, field, "an int needs 'low' and 'high'");
        return;
      }
      auto low = c.integer(n["low"], field + ".low");
      auto high = c.integer(n["high"], field + ".high");
      std::optional<int64_t> step = 1;
      if (n["step"]) step = c.integer(n["step"], field + ".step");
      bool log = false;
      if (n["log"]) log = c.boolean(n["log"], field + ".log").value_or(false);
      if (!low || !high || !step) return;
      out.search_space.push_back({name, make_int_distribution(*low, *high, *step, log)});
    } else if (type == "categorical") {
      c.check_keys(n, field, {"type", "choices"});
      const YAML::Node choices = n["choices"];
      if (!choices || !choices.IsSequence() || choices.size() == 0) {
        c.problem(choices ? choices : n, field + ".choices",
                  "must be a non-empty list, e.g. choices: [adam, sgd]");
        return;
      }
      std::vector<CategoricalChoice> values;
      for (const auto& choice : choices) {
        if (!choice.IsScalar()) {
          c.problem(choice, field + ".choices", "each choice must be a single value");
          return;
        }
        values.push_back(choice_of(choice));
      }
      out.search_space.push_back({name, make_categorical_distribution(std::move(values))});
    } else {
      c.problem(n["type"], field + ".type",
                "unknown type '" + type + "'; use float, int or categorical");
    }
  } catch (const std::invalid_argument& e) {
    c.problem(n, field, e.what());
  }
}

}  // namespace

StudyFileError::StudyFileError(std::vector<std::string> problems)
    : std::runtime_error([&] {
        std::string all;
        for (const std::string& p : problems) all += p + "\n";
        return all;
      }()),
      problems_(std::move(problems)) {}

std::string default_storage_url(const std::string& dir, const std::string& stem) {
  // Heartbeats: trials left RUNNING by a run that was killed outright (kill -9, a lost
  // machine) are marked FAIL by a later run, after twice the interval without a stamp.
  return "sqlite:///" + (fs::path(dir) / (stem + ".db")).string() + "?heartbeat_interval=60";
}

std::optional<std::string> check_storage_url(const std::string& url) {
  if (url == ":memory:") return std::nullopt;
  if (url.rfind("sqlite:///", 0) == 0) {
    if (url.size() == 10) return "an sqlite URL needs a file: sqlite:///study.db";
    return std::nullopt;
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return std::nullopt;
  if (url.rfind("sqlite:", 0) == 0) {
    // An SQLite URL holds no password, so it can be shown whole.
    return "'" + url + "' is not an SQLite URL of a file: it takes three slashes and no host, "
           "sqlite:///relative.db or sqlite:////absolute.db";
  }
  // Only the scheme is shown: the rest could hold a password.
  return "unsupported storage URL scheme '" + url.substr(0, url.find(':')) +
         "'; use sqlite:///file.db, postgresql://user@host/db or :memory:";
}


namespace {

void read_metric(Checker& c, const YAML::Node& n, StudyFile& out) {
  MetricSpec& m = out.objective.metric;
  const std::string field = "objective.metric";
  const std::string example = "{key: val_loss, from: stdout}";
  if (!n) {
    c.problem(n, field, "is missing; add e.g. 'metric: " + example + "'");
    return;
  }
  if (n.IsScalar()) {  // shorthand: the key of the last JSON line
    m.keys = {n.Scalar()};
    return;
  }
  if (!c.is_map(n, field, example)) return;
  c.check_keys(n, field, {"key", "keys", "from", "file"});
  std::string from = "stdout";
  if (n["from"]) from = c.string(n["from"], field + ".from").value_or("stdout");
  if (from == "stdout") {
    m.source = MetricSource::kStdoutJson;
  } else if (from == "file") {
    m.source = MetricSource::kFile;
  } else if (from == "last_number") {
    m.source = MetricSource::kLastNumber;
  } else {
    c.problem(n["from"], field + ".from",
              "unknown source '" + from + "'; use stdout, file or last_number");
    return;
  }
  if (n["key"] && n["keys"]) c.problem(n["keys"], field, "give 'key' or 'keys', not both");
  if (n["key"]) {
    if (auto k = c.string(n["key"], field + ".key")) m.keys = {*k};
  } else if (n["keys"]) {
    if (!n["keys"].IsSequence()) {
      c.problem(n["keys"], field + ".keys", "must be a list, e.g. keys: [loss, latency]");
    } else {
      for (const auto& k : n["keys"]) {
        if (auto s = c.string(k, field + ".keys")) m.keys.push_back(*s);
      }
    }
  }
  if (m.source == MetricSource::kLastNumber) {
    if (!m.keys.empty()) c.problem(n, field, "from: last_number reads no key; remove 'key'");
    if (out.directions.size() > 1) {
      c.problem(n, field, "from: last_number gives one value; with several directions use "
                          "from: stdout or file with 'keys'");
    }
  } else if (m.keys.empty()) {
    c.problem(n, field + ".key", "is missing; add e.g. 'key: val_loss'");
  } else if (!out.directions.empty() && m.keys.size() != out.directions.size()) {
    c.problem(n, field + ".keys", "gives " + std::to_string(m.keys.size()) + " keys for " +
                                      std::to_string(out.directions.size()) +
                                      " directions; give one key per direction");
  }
  if (m.source == MetricSource::kFile) {
    if (!n["file"]) {
      c.problem(n, field + ".file", "is missing; from: file needs e.g. 'file: metrics.json'");
    } else if (auto f = c.string(n["file"], field + ".file")) {
      m.file = absolute_in(out.objective.working_dir, *f);
      std::string ext = fs::path(*f).extension().string();
      m.file_is_yaml = ext == ".yaml" || ext == ".yml";
    }
  } else if (n["file"]) {
    c.problem(n["file"], field + ".file", "is only read with 'from: file'; remove it or set "
                                          "'from: file'");
  }
}

void read_objective(Checker& c, const YAML::Node& n, StudyFile& out) {
  const std::string example = "{command: python3 train.py --lr {lr}, metric: val_loss}";
  if (!n) {
    c.add(0, "objective", "is missing; add e.g. 'objective: " + example + "'");
    return;
  }
  if (!c.is_map(n, "objective", example)) return;
  c.check_keys(n, "objective",
               {"command", "metric", "timeout", "grace_period", "env", "working_dir"});
  ObjectiveSpec& o = out.objective;
  o.working_dir = out.dir;
  if (n["working_dir"]) {
    if (auto w = c.string(n["working_dir"], "objective.working_dir")) {
      o.working_dir = absolute_in(out.dir, *w);
      // The error_code overloads: a name too long for the file system is a problem to
      // report, not a std::filesystem_error escaping the loader.
      std::error_code ec;
      if (!fs::is_directory(o.working_dir, ec)) {
        c.problem(n["working_dir"], "objective.working_dir",
                  "folder '" + o.working_dir + "' " +
                      (ec ? "cannot be checked (" + ec.message() + ")" : "does not exist") +
                      "; create it or fix the path");
      }
    }
  }
  if (!n["command"]) {
    c.problem(n, "objective.command", "is missing; add e.g. 'command: python3 train.py'");
  } else if (auto cmd = c.string(n["command"], "objective.command")) {
    o.command = *cmd;
  }
  read_metric(c, n["metric"], out);
  if (n["timeout"]) {
    auto t = c.number(n["timeout"], "objective.timeout");
    if (t && *t <= 0) {
      c.problem(n["timeout"], "objective.timeout", "must be > 0 seconds, got " +
                                                       n["timeout"].Scalar());
    } else {
      o.timeout_seconds = t;
    }
  }
  if (n["grace_period"]) {
    auto g = c.number(n["grace_period"], "objective.grace_period");
    if (g && *g < 0) {
      c.problem(n["grace_period"], "objective.grace_period",
                "must be >= 0 seconds, got " + n["grace_period"].Scalar());
    } else if (g) {
      o.grace_period_seconds = *g;
    }
  }
  if (n["env"] && c.is_map(n["env"], "objective.env", "{OMP_NUM_THREADS: 1}")) {
    for (const auto& kv : n["env"]) {
      std::string name = kv.first.Scalar();
      if (name.empty() || name.find('=') != std::string::npos) {
        c.problem(kv.first, "objective.env", "'" + name + "' is not a variable name");
      } else if (!kv.second.IsScalar()) {
        c.problem(kv.second, "objective.env." + name, "must be a single value");
      } else {
        o.env[name] = kv.second.Scalar();
      }
    }
  }
}

// `space` is the search_space node: a parameter with a problem of its own is still declared.
void check_placeholders(Checker& c, const YAML::Node& n, const YAML::Node& space,
                        const StudyFile& out) {
  std::vector<std::string> known = {"trial_number"};
  if (space && space.IsMap()) {
    for (const auto& kv : space) known.push_back(kv.first.Scalar());
  }
  for (const std::string& name : placeholders_in(out.objective.command)) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string message = "placeholder {" + name + "} names no parameter";
    if (auto guess = did_you_mean(name, known)) message += "; did you mean {" + *guess + "}?";
    else message += "; declare it in search_space, or write {{" + name + "}} for the literal text";
    c.problem(n["command"], "objective.command", message);
  }
}

void read_directions(Checker& c, const YAML::Node& root, StudyFile& out) {
  auto parse = [&](const YAML::Node& n, const std::string& field) {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s == "minimize" || s == "maximize") {
      out.directions.push_back(study_direction_from_string(s));
    } else {
      c.problem(n, field, "must be minimize or maximize, got '" + Checker::text(n) + "'");
    }
  };
  if (root["direction"] && root["directions"]) {
    c.problem(root["directions"], "directions", "give 'direction' or 'directions', not both");
  } else if (root["directions"]) {
    if (!root["directions"].IsSequence() || root["directions"].size() == 0) {
      c.problem(root["directions"], "directions", "must be a list, e.g. [minimize, maximize]");
    } else {
      for (const auto& d : root["directions"]) parse(d, "directions");
    }
  } else if (root["direction"]) {
    parse(root["direction"], "direction");
  } else {
    out.directions = {StudyDirection::kMinimize};
  }
}

void read_outputs(Checker& c, const YAML::Node& n, StudyFile& out) {
  OutputsSpec& o = out.outputs;
  o.best_params = absolute_in(out.dir, out.stem + ".best.yaml");
  o.metrics = absolute_in(out.dir, out.stem + ".metrics.json");
  o.trials = absolute_in(out.dir, out.stem + ".trials.csv");
  o.logs = absolute_in(out.dir, out.stem + ".logs");
  if (out.directions.size() > 1) o.best_params.clear();
  if (!n) return;
  if (!c.is_map(n, "outputs", "{best_params: best.yaml, metrics: metrics.json}")) return;
  c.check_keys(n, "outputs", {"best_params", "metrics", "trials", "logs", "report"});
  auto read = [&](const char* key, std::string& target) {
    if (!n[key]) return;
    if (n[key].IsNull()) {
      target.clear();
    } else if (auto s = c.string(n[key], std::string("outputs.") + key)) {
      target = absolute_in(out.dir, *s);
    }
  };
  read("best_params", o.best_params);
  read("metrics", o.metrics);
  read("trials", o.trials);
  read("logs", o.logs);
  read("report", o.report);
  if (out.directions.size() > 1 && n["best_params"] && !n["best_params"].IsNull()) {
    c.problem(n["best_params"], "outputs.best_params",
              "a study with several directions has no single best trial; remove it (the "
              "metrics file lists the Pareto front)");
  }
}

void read_budget(Checker& c, const YAML::Node& root, StudyFile& out) {
  const YAML::Node b = root["budget"];
  if (b && c.is_map(b, "budget", "{n_trials: 50, timeout: 3600}")) {
    c.check_keys(b, "budget", {"n_trials", "timeout"});
    if (b["n_trials"]) {
      auto v = c.integer(b["n_trials"], "budget.n_trials");
      if (v && *v < 1) {
        c.problem(b["n_trials"], "budget.n_trials", "must be >= 1, got " + std::to_string(*v));
      } else {
        out.n_trials = v;
      }
    }
    if (b["timeout"]) {
      auto v = c.number(b["timeout"], "budget.timeout");
      if (v && *v <= 0) {
        c.problem(b["timeout"], "budget.timeout", "must be > 0 seconds, got " +
                                                      b["timeout"].Scalar());
      } else {
        out.timeout_seconds = v;
      }
    }
  }
  if (root["n_jobs"]) {
    auto v = c.integer(root["n_jobs"], "n_jobs");
    if (v && (*v < 1 || *v > 1024)) {
      c.problem(root["n_jobs"], "n_jobs", "must be between 1 and 1024, got " +
                                              std::to_string(*v));
    } else if (v) {
      out.n_jobs = static_cast<int>(*v);
    }
  }
}

void read_inputs(Checker& c, const YAML::Node& n, StudyFile& out) {
  if (!n) return;
  if (!n.IsSequence()) {
    c.problem(n, "inputs", "must be a list of files and folders, e.g. [train.py, data/]");
    return;
  }
  for (const auto& item : n) {
    auto s = c.string(item, "inputs");
    if (!s) continue;
    std::string path = absolute_in(out.dir, *s);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      c.problem(item, "inputs", "'" + *s + "' " +
                                    (ec ? "cannot be checked (" + ec.message() + ")"
                                        : "does not exist") +
                                    "; fix the path or remove it");
    } else {
      out.inputs.push_back(path);
    }
  }
}

}  // namespace

StudyFile load_study_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw StudyFileError({path + ": is a folder, not a study file; give the YAML file in it"});
  }
  if (!fs::is_regular_file(path, ec)) {
    throw StudyFileError({path + ": study file not found; check the path"});
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw StudyFileError({path + ": cannot be read; check its permissions"});
  return load_study_text(text.str(), path);
}

StudyFile load_study_text(const std::string& text, const std::string& path) {
  StudyFile out;
  Checker c(path);
  out.path = fs::absolute(path).lexically_normal().string();
  out.dir = fs::path(out.path).parent_path().string();
  out.stem = fs::path(out.path).stem().string();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw StudyFileError({path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " +
                          e.msg});
  }
  if (!root.IsMap()) {
    throw StudyFileError({path + ": the study file must be a YAML mapping with at least "
                                 "'search_space' and 'objective'"});
  }
  c.check_duplicate_keys(root, "");
  c.check_keys(root, "", {"study_name", "direction", "directions", "storage", "sampler", "pruner",
                          "search_space", "objective", "budget", "n_jobs", "inputs", "outputs"});
  if (root["study_name"]) out.study_name = c.string(root["study_name"], "study_name");
  read_directions(c, root, out);
  out.storage_url = default_storage_url(out.dir, out.stem);
  if (root["storage"]) {
    if (auto url = c.string(root["storage"], "storage")) {
      if (auto problem = check_storage_url(*url)) {
        c.problem(root["storage"], "storage", "'" + url->substr(0, url->find(':')) + ":...': " +
                                                  *problem);
      } else if (url->rfind("sqlite:///", 0) == 0 && url->size() > 10 && (*url)[10] != '/') {
        out.storage_url = "sqlite:///" + absolute_in(out.dir, url->substr(10));
      } else {
        out.storage_url = *url;
      }
    }
  }
  read_component(c, root["sampler"], "sampler", out.sampler, out.sampler_options);
  read_component(c, root["pruner"], "pruner", out.pruner, out.pruner_options);
  if (out.directions.size() > 1 && out.pruner != "nop") {
    c.problem(root["pruner"], "pruner", "pruning needs a single direction; remove the pruner");
  }
  const YAML::Node space = root["search_space"];
  if (!space) {
    c.add(0, "search_space", "is missing; add e.g. 'search_space: {lr: {type: float, low: "
                             "0.001, high: 0.1, log: true}}'");
  } else if (c.is_map(space, "search_space", "{lr: {type: float, low: 0.001, high: 0.1}}")) {
    if (space.size() == 0) c.problem(space, "search_space", "declares no parameter; add one");
    for (const auto& kv : space) read_param(c, kv.first.Scalar(), kv.second, out);
  }
  read_objective(c, root["objective"], out);
  if (root["objective"] && root["objective"].IsMap()) check_placeholders(c, root["objective"], space, out);
  read_budget(c, root, out);
  read_inputs(c, root["inputs"], out);
  read_outputs(c, root["outputs"], out);
  if (!c.problems().empty()) throw StudyFileError(c.problems());
  return out;
}

}  // namespace hpo::cli
