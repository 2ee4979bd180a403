// The composition root. Each table entry names an implementation and reads its options, so
// adding a sampler, pruner or storage is one entry here and nothing in the front ends.
#include "core/factory.h"

#include <functional>
#include <stdexcept>

#include "core/factory_pruners.h"
#include "core/factory_storage.h"
#include "core/option_reader.h"
#include "pruners/nop_pruner.h"
#include "samplers/gp/gp_sampler.h"
#include "samplers/grid_sampler.h"
#include "samplers/random_sampler.h"
#include "samplers/tpe/tpe_sampler.h"
#include "storage/in_memory_storage.h"
#include "storage/postgres/postgres_storage.h"
#include "storage/sqlite/sqlite_storage.h"

namespace hpo {
namespace {

template <class T>
struct Entry {
  std::string_view name;
  std::function<std::shared_ptr<T>(OptionReader&)> make;
};

std::optional<uint64_t> read_seed(OptionReader& r) { return r.get_optional<uint64_t>("seed"); }

GridSpace read_grid(OptionReader& r) {
  const nlohmann::json& j = r.get_json("search_space");
  if (!j.is_object() || j.empty()) {
    throw std::invalid_argument(r.what() +
                                ": option 'search_space' must map each param name to a list of "
                                "values, e.g. {\"x\": [1, 2, 3]}");
  }
  GridSpace space;
  for (const auto& [name, values] : j.items()) {
    if (!values.is_array() || values.empty()) {
      throw std::invalid_argument(r.what() + ": search_space['" + name +
                                  "'] must be a non-empty list of values");
    }
    for (const auto& v : values) space[name].push_back(param_value_from_json(v));
  }
  return space;
}

// Optuna's TPESampler keyword names, and hpo's normalized_kernels; gamma and weights (Python
// callables) stay C++-only.
TpeSamplerOptions read_tpe(OptionReader& r) {
  TpeSamplerOptions o;
  o.consider_prior = r.get("consider_prior", o.consider_prior);
  o.prior_weight = r.get("prior_weight", o.prior_weight);
  o.consider_magic_clip = r.get("consider_magic_clip", o.consider_magic_clip);
  o.consider_endpoints = r.get("consider_endpoints", o.consider_endpoints);
  o.normalized_kernels = r.get("normalized_kernels", o.normalized_kernels);
  o.n_startup_trials = r.get("n_startup_trials", o.n_startup_trials);
  o.n_ei_candidates = r.get("n_ei_candidates", o.n_ei_candidates);
  o.seed = read_seed(r);
  o.multivariate = r.get("multivariate", o.multivariate);
  o.group = r.get("group", o.group);
  o.constant_liar = r.get("constant_liar", o.constant_liar);
  return o;
}

const std::vector<Entry<Sampler>>& sampler_table() {
  static const std::vector<Entry<Sampler>> table = {
      {"random",
       [](OptionReader& r) {
         return std::make_shared<RandomSampler>(RandomSamplerOptions{read_seed(r)});
       }},
      {"grid",
       [](OptionReader& r) {
         GridSpace space = read_grid(r);
         return std::make_shared<GridSampler>(std::move(space), read_seed(r));
       }},
      {"gp",
       [](OptionReader& r) {
         GpSamplerOptions o;
         o.seed = read_seed(r);
         o.n_startup_trials = r.get<int>("n_startup_trials", o.n_startup_trials);
         o.deterministic_objective = r.get<bool>("deterministic_objective", o.deterministic_objective);
         o.n_preliminary_samples = r.get<int>("n_preliminary_samples", o.n_preliminary_samples);
         o.n_local_search = r.get<int>("n_local_search", o.n_local_search);
         o.refit_every_trial_until = r.get<int>("refit_every_trial_until", o.refit_every_trial_until);
         o.refit_growth = r.get<double>("refit_growth", o.refit_growth);
         o.max_fit_points = r.get<int>("max_fit_points", o.max_fit_points);
         return std::make_shared<GpSampler>(o);
       }},
      {"tpe", [](OptionReader& r) { return std::make_shared<TpeSampler>(read_tpe(r)); }},
  };
  return table;
}

const std::vector<Entry<Pruner>>& pruner_table() {
  static const std::vector<Entry<Pruner>> table = {
      {"nop", [](OptionReader&) { return std::make_shared<NopPruner>(); }},
      {"median", read_median_pruner},
      {"percentile", read_percentile_pruner},
      {"successive_halving", read_successive_halving_pruner},
      {"hyperband", read_hyperband_pruner},
      {"threshold", read_threshold_pruner},
      {"patient", read_patient_pruner},
  };
  return table;
}

template <class T>
std::vector<std::string> names_of(const std::vector<Entry<T>>& table) {
  std::vector<std::string> names;
  for (const auto& e : table) names.emplace_back(e.name);
  return names;
}

template <class T>
std::shared_ptr<T> make_from(const std::vector<Entry<T>>& table, std::string_view kind,
                             std::string_view name, const nlohmann::json& options) {
  for (const auto& entry : table) {
    if (entry.name != name) continue;
    OptionReader reader(std::string(kind) + " '" + std::string(name) + "'", options);
    std::shared_ptr<T> made = entry.make(reader);
    reader.finish();
    return made;
  }
  std::vector<std::string> known = names_of(table);
  std::string message = "unknown " + std::string(kind) + " '" + std::string(name) + "'";
  if (auto guess = did_you_mean(name, known)) message += "; did you mean '" + *guess + "'?";
  message += " (known: ";
  for (size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + known[i];
  throw std::invalid_argument(message + ")");
}

}  // namespace

std::shared_ptr<Sampler> make_sampler(std::string_view name, const nlohmann::json& options) {
  return make_from(sampler_table(), "sampler", name, options);
}

std::shared_ptr<Pruner> make_pruner(std::string_view name, const nlohmann::json& options) {
  return make_from(pruner_table(), "pruner", name, options);
}

std::shared_ptr<Storage> make_storage(std::string_view url) {
  StorageUrl parsed = parse_storage_url(url);
  switch (parsed.kind) {
    case StorageUrl::Kind::kSqlite:
      return std::make_shared<SqliteStorage>(parsed.sqlite_path, parsed.sqlite_options);
    case StorageUrl::Kind::kPostgres:
      return std::make_shared<PostgresStorage>(std::string(url), parsed.postgres_options);
    case StorageUrl::Kind::kInMemory:
      break;
  }
  return std::make_shared<InMemoryStorage>();
}

// As Optuna: TPE by default.
std::shared_ptr<Sampler> make_default_sampler() { return make_sampler("tpe"); }

// Optuna's default pruner.
std::shared_ptr<Pruner> make_default_pruner() { return make_pruner("median"); }

std::vector<std::string> sampler_names() { return names_of(sampler_table()); }

std::vector<std::string> pruner_names() { return names_of(pruner_table()); }

}  // namespace hpo
