#include "cli/outputs.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "cli/objective_process.h"
#include "report/html_page.h"
#include "report/study_data.h"

namespace hpo::cli {
namespace fs = std::filesystem;
namespace {

std::string yaml_float(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  std::string s = param_text(ParamValue(d));
  // YAML 1.1 readers (PyYAML) take a float only with a '.'; "1e-05" would be a string.
  if (s.find('.') == std::string::npos) {
    size_t e = s.find('e');
    s.insert(e == std::string::npos ? s.size() : e, ".0");
  }
  return s;
}

std::string yaml_value(const ParamValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const double* d = std::get_if<double>(&v)) return yaml_float(*d);
  if (const std::string* s = std::get_if<std::string>(&v)) return nlohmann::json(*s).dump();
  return param_text(v);
}

std::string yaml_key(const std::string& key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  return plain ? key : nlohmann::json(key).dump();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::optional<double> duration_seconds(const FrozenTrial& t) {
  if (!t.datetime_start || !t.datetime_complete) return std::nullopt;
  return std::chrono::duration<double>(*t.datetime_complete - *t.datetime_start).count();
}

std::string fail_reason(const FrozenTrial& t) {
  auto it = t.system_attrs.find("fail_reason");
  return it != t.system_attrs.end() && it->is_string() ? it->get<std::string>() : "";
}

std::set<std::string> param_names(const Trials& trials) {
  std::set<std::string> names;
  for (const TrialPtr& t : trials) {
    for (const auto& [name, value] : trial_params(*t)) names.insert(name);
  }
  return names;
}

}  // namespace

ExternalParams trial_params(const FrozenTrial& trial) {
  ExternalParams params = trial.external_params();
  auto fixed = trial.system_attrs.find("fixed_params");
  if (trial.state == TrialState::kWaiting && fixed != trial.system_attrs.end() &&
      fixed->is_object()) {
    for (const auto& [name, value] : fixed->items()) {
      try {
        params.emplace(name, param_value_from_json(value));
      } catch (const std::invalid_argument&) {
        // Not a value hpo could have enqueued; the row just lacks it.
      }
    }
  }
  return params;
}

void write_file_atomically(const std::string& path, std::string_view content) {
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  fs::path temp = target;
  temp += ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      fs::remove(temp, ec);
      throw std::runtime_error("cannot write '" + temp.string() + "'");
    }
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw std::runtime_error("cannot move the new '" + path + "' into place: " + ec.message());
  }
}

std::string best_params_text(const ExternalParams& params, bool json) {
  if (json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, value] : params) j[name] = to_json(value);
    return j.dump(2) + "\n";
  }
  std::string out;
  for (const auto& [name, value] : params) out += yaml_key(name) + ": " + yaml_value(value) + "\n";
  return out.empty() ? "{}\n" : out;
}

nlohmann::json metrics_json(const Study& study) {
  nlohmann::json j;
  j["study_name"] = study.study_name();
  nlohmann::json directions = nlohmann::json::array();
  for (StudyDirection d : study.directions()) directions.push_back(std::string(to_string(d)));
  j["directions"] = directions;
  Trials trials = study.get_trials();
  nlohmann::json counts = {{"COMPLETE", 0}, {"PRUNED", 0}, {"FAIL", 0}, {"RUNNING", 0},
                           {"WAITING", 0}};
  for (const TrialPtr& t : trials) counts[std::string(to_string(t->state))] =
      counts[std::string(to_string(t->state))].get<int64_t>() + 1;
  j["n_trials"] = trials.size();
  j["counts"] = counts;
  Trials best = study.best_trials();
  if (study.directions().size() == 1) {
    j["best_trial"] = best.empty() ? nlohmann::json(nullptr) : nlohmann::json(best[0]->number);
    j["best_value"] = best.empty() ? nlohmann::json(nullptr) : nlohmann::json(best[0]->values[0]);
    nlohmann::json params = nlohmann::json::object();
    if (!best.empty()) {
      for (const auto& [name, value] : best[0]->external_params()) params[name] = to_json(value);
    }
    j["best_params"] = params;
  } else {
    nlohmann::json front = nlohmann::json::array();
    for (const TrialPtr& t : best) front.push_back({{"number", t->number}, {"values", t->values}});
    j["pareto_front"] = front;
  }
  return j;
}

std::string trials_csv(const Study& study) {
  Trials trials = study.get_trials();
  std::set<std::string> names = param_names(trials);
  size_t n_values = study.directions().size();
  std::string out = "number,state";
  if (n_values == 1) {
    out += ",value";
  } else {
    for (size_t i = 0; i < n_values; ++i) out += ",values_" + std::to_string(i);
  }
  for (const std::string& name : names) out += "," + csv_field("params_" + name);
  out += ",duration_seconds,fail_reason\n";
  for (const TrialPtr& t : trials) {
    out += std::to_string(t->number) + "," + std::string(to_string(t->state));
    for (size_t i = 0; i < n_values; ++i) {
      out += ",";
      if (i < t->values.size()) out += param_text(ParamValue(t->values[i]));
    }
    ExternalParams params = trial_params(*t);
    for (const std::string& name : names) {
      out += ",";
      if (auto it = params.find(name); it != params.end()) out += csv_field(param_text(it->second));
    }
    out += ",";
    if (auto d = duration_seconds(*t)) out += param_text(ParamValue(*d));
    out += "," + csv_field(fail_reason(*t)) + "\n";
  }
  return out;
}

nlohmann::json trials_json(const Study& study) {
  nlohmann::json rows = nlohmann::json::array();
  for (const TrialPtr& t : study.get_trials()) {
    nlohmann::json row;
    row["number"] = t->number;
    row["state"] = std::string(to_string(t->state));
    row["values"] = t->values;
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : trial_params(*t)) params[name] = to_json(value);
    row["params"] = params;
    nlohmann::json intermediate = nlohmann::json::object();
    for (const auto& [step, value] : t->intermediate_values) {
      intermediate[std::to_string(step)] = value;
    }
    row["intermediate_values"] = intermediate;
    auto d = duration_seconds(*t);
    row["duration_seconds"] = d ? nlohmann::json(*d) : nlohmann::json(nullptr);
    row["system_attrs"] = t->system_attrs;
    row["user_attrs"] = t->user_attrs;
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::string> write_outputs(const OutputsSpec& outputs, const Study& study) {
  std::vector<std::string> written;
  if (!outputs.best_params.empty() && study.directions().size() == 1) {
    Trials best = study.best_trials();
    if (!best.empty()) {
      bool json = fs::path(outputs.best_params).extension() == ".json";
      write_file_atomically(outputs.best_params,
                            best_params_text(best[0]->external_params(), json));
      written.push_back(outputs.best_params);
    }
  }
  if (!outputs.metrics.empty()) {
    write_file_atomically(outputs.metrics, metrics_json(study).dump(2) + "\n");
    written.push_back(outputs.metrics);
  }
  if (!outputs.trials.empty()) {
    write_file_atomically(outputs.trials, trials_csv(study));
    written.push_back(outputs.trials);
  }
  if (!outputs.report.empty()) {
    write_file_atomically(outputs.report,
                          report::render_report(report::gather_report_data(study)));
    written.push_back(outputs.report);
  }
  return written;
}

}  // namespace hpo::cli
