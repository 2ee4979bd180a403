// The composition root: the one place that names every concrete sampler, pruner and storage.
// Front ends (CLI, Python) build everything through these functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/pruner.h"
#include "core/sampler.h"
#include "core/storage.h"

namespace hpo {

// `options` is a JSON object of the implementation's options, named as in Optuna
// (e.g. {"seed": 1, "n_startup_trials": 5}). Throws std::invalid_argument naming the
// problem: an unknown name or option (with a did-you-mean), a value of the wrong type or range.
std::shared_ptr<Sampler> make_sampler(std::string_view name,
                                      const nlohmann::json& options = nlohmann::json::object());
std::shared_ptr<Pruner> make_pruner(std::string_view name,
                                    const nlohmann::json& options = nlohmann::json::object());
// ":memory:" (or empty) for in-memory; "sqlite:///relative.db", "sqlite:////absolute.db";
// "postgresql://user:password@host:port/dbname". Throws std::invalid_argument for a URL it
// cannot read, StorageError if the database cannot be opened.
std::shared_ptr<Storage> make_storage(std::string_view url);

std::shared_ptr<Sampler> make_default_sampler();
std::shared_ptr<Pruner> make_default_pruner();

std::vector<std::string> sampler_names();
std::vector<std::string> pruner_names();

}  // namespace hpo
