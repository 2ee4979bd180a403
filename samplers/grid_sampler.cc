// GridSampler: grid points identified by a mixed-radix index over the sorted param names.
#include "samplers/grid_sampler.h"

#include <random>
#include <set>
#include <stdexcept>

#include "core/seeding.h"

namespace hpo {

GridSampler::GridSampler(GridSpace space, std::optional<uint64_t> seed)
    : space_(std::move(space)),
      seed_(seed ? *seed : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {
  if (space_.empty()) throw std::invalid_argument("grid sampler: the search space is empty");
  space_json_ = nlohmann::json::object();
  for (const auto& [name, values] : space_) {
    if (values.empty()) {
      throw std::invalid_argument("grid sampler: param '" + name + "' has no values to try");
    }
    names_.push_back(name);
    n_points_ *= values.size();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : values) list.push_back(to_json(v));
    space_json_[name] = std::move(list);
  }
}

const ParamValue& GridSampler::value_at(int64_t point, size_t index) const {
  // The last name varies fastest, as in itertools.product over the sorted names.
  auto rest = static_cast<size_t>(point);
  for (size_t i = names_.size(); i-- > index + 1;) rest /= space_.find(names_[i])->second.size();
  const auto& values = space_.find(names_[index])->second;
  return values[rest % values.size()];
}

std::vector<int64_t> GridSampler::unvisited_points(const StudyView& study) const {
  std::set<int64_t> finished;
  std::set<int64_t> running;
  for (const TrialPtr& t : study.get_trials()) {
    auto id = t->system_attrs.find("grid_id");
    auto space = t->system_attrs.find("search_space");
    if (id == t->system_attrs.end() || space == t->system_attrs.end() || *space != space_json_) {
      continue;
    }
    if (is_finished(t->state)) finished.insert(id->get<int64_t>());
    if (t->state == TrialState::kRunning) running.insert(id->get<int64_t>());
  }
  std::vector<int64_t> out;
  for (int64_t p = 0; p < static_cast<int64_t>(n_points_); ++p) {
    if (!finished.contains(p) && !running.contains(p)) out.push_back(p);
  }
  // Every point has started: offer the unfinished ones, so the grid completes.
  if (out.empty()) {
    for (int64_t p = 0; p < static_cast<int64_t>(n_points_); ++p) {
      if (!finished.contains(p)) out.push_back(p);
    }
  }
  return out;
}

InternalParams GridSampler::sample_relative(const StudyView& study, const FrozenTrial& trial,
                                            const SearchSpace& /*space*/) {
  // Enqueued and retried trials bring their own params.
  if (trial.system_attrs.contains("grid_id") || trial.system_attrs.contains("fixed_params")) {
    return {};
  }
  std::vector<int64_t> targets = unvisited_points(study);
  if (targets.empty()) {
    for (int64_t p = 0; p < static_cast<int64_t>(n_points_); ++p) targets.push_back(p);
  }
  std::mt19937_64 rng(trial_seed(seed_.load(), trial.number));
  std::uniform_int_distribution<size_t> pick(0, targets.size() - 1);
  int64_t point = targets[pick(rng)];
  study.set_trial_system_attr(trial.trial_id, "search_space", space_json_);
  study.set_trial_system_attr(trial.trial_id, "grid_id", point);
  return {};
}

double GridSampler::sample_independent(const StudyView& /*study*/, const FrozenTrial& trial,
                                       std::string_view name, const Distribution& distribution) {
  auto id = trial.system_attrs.find("grid_id");
  if (id == trial.system_attrs.end()) {
    throw std::invalid_argument(
        "grid sampler: all parameters must be given when enqueuing trials in a grid study");
  }
  auto it = space_.find(name);
  if (it == space_.end()) {
    throw std::invalid_argument("grid sampler: param '" + std::string(name) +
                                "' is not in the grid; add it to the grid's search space");
  }
  size_t index = static_cast<size_t>(std::distance(space_.begin(), it));
  return to_internal(distribution, value_at(id->get<int64_t>(), index));
}

void GridSampler::after_trial(const StudyView& study, const FrozenTrial& trial,
                              TrialState /*state*/, const std::vector<double>& /*values*/) {
  // `trial` is not yet recorded as finished: the grid is spent when at most its own point is
  // left unfinished.
  std::vector<int64_t> left = unvisited_points(study);
  auto id = trial.system_attrs.find("grid_id");
  if (left.empty() ||
      (left.size() == 1 && id != trial.system_attrs.end() && id->get<int64_t>() == left[0])) {
    study.stop();
  }
}

}  // namespace hpo
