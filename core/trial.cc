// Trial: the define-by-run suggestion path (earlier value, fixed, relative, independent).
#include "core/trial.h"

#include <cmath>
#include <stdexcept>

#include "core/study.h"

namespace hpo {
namespace {

// The study as samplers and pruners see it during one trial. Hyperband's pruner may hide other
// brackets' trials from the sampler (`filter`). System attributes written for this trial are
// mirrored into its snapshot, so the trial sees them without re-reading storage.
class TrialStudyView final : public StudyView {
 public:
  TrialStudyView(const Study& study, const TrialFilter* filter, FrozenTrial& snapshot)
      : study_(study), filter_(filter), snapshot_(snapshot) {}
  int64_t study_id() const override { return study_.study_id(); }
  const std::string& study_name() const override { return study_.study_name(); }
  const std::vector<StudyDirection>& directions() const override { return study_.directions(); }
  Trials get_trials(StateMask states) const override {
    Trials all = study_.get_trials(states);
    if (filter_ == nullptr || !*filter_) return all;
    std::erase_if(all, [&](const TrialPtr& t) { return !(*filter_)(*t); });
    return all;
  }
  Trials get_trials_from(int64_t first_number, StateMask states) const override {
    if (!filtered()) return study_.get_trials_from(first_number, states);
    return StudyView::get_trials_from(first_number, states);
  }
  bool filtered() const override { return filter_ != nullptr && *filter_; }
  int64_t get_n_trials(StateMask states) const override {
    if (filter_ == nullptr || !*filter_) return study_.get_n_trials(states);
    return static_cast<int64_t>(get_trials(states).size());
  }
  void set_trial_system_attr(int64_t trial_id, std::string_view key,
                             const nlohmann::json& value) const override {
    study_.set_trial_system_attr(trial_id, key, value);
    if (trial_id == snapshot_.trial_id) snapshot_.system_attrs[std::string(key)] = value;
  }
  void stop() const override { study_.stop(); }

 private:
  const Study& study_;
  const TrialFilter* filter_;  // null: no filter
  FrozenTrial& snapshot_;
};

// The one value a single-valued distribution has, in internal form.
double single_internal_value(const Distribution& d) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) return f->low;
  if (const auto* i = std::get_if<IntDistribution>(&d)) return static_cast<double>(i->low);
  return 0.0;
}

}  // namespace

Trial::Trial(Study& study, int64_t trial_id) : study_(&study) {
  snapshot_ = *study.storage().get_trial(trial_id);
  auto fixed = snapshot_.system_attrs.find("fixed_params");
  if (fixed != snapshot_.system_attrs.end() && fixed->is_object()) {
    for (const auto& [name, value] : fixed->items()) {
      fixed_params_[name] = param_value_from_json(value);
    }
  }
  sampler_filter_ = study.pruner().sampler_trial_filter(study, snapshot_);
  TrialStudyView view(study, &sampler_filter_, snapshot_);
  study.sampler().before_trial(view, snapshot_);
  init_relative_params();
}

void Trial::init_relative_params() {
  TrialStudyView view(*study_, &sampler_filter_, snapshot_);
  Sampler& sampler = study_->sampler();
  relative_space_ = sampler.infer_relative_search_space(view, snapshot_);
  relative_params_ = sampler.sample_relative(view, snapshot_, relative_space_);
}

double Trial::suggest(std::string_view name, const Distribution& distribution) {
  validate(distribution);
  if (auto it = snapshot_.params.find(name); it != snapshot_.params.end()) {
    check_compatible(snapshot_.distributions.find(name)->second, distribution, std::string(name));
    return it->second;
  }

  double internal;
  if (auto fixed = fixed_params_.find(name); fixed != fixed_params_.end()) {
    internal = to_internal(distribution, fixed->second);
  } else if (is_single(distribution)) {
    internal = single_internal_value(distribution);
  } else if (auto rel = relative_params_.find(name);
             rel != relative_params_.end() && relative_space_.count(std::string(name)) != 0) {
    check_compatible(relative_space_.find(name)->second, distribution, std::string(name));
    internal = rel->second;
  } else {
    TrialStudyView view(*study_, &sampler_filter_, snapshot_);
    internal = study_->sampler().sample_independent(view, snapshot_, name, distribution);
  }

  study_->storage().set_trial_param(snapshot_.trial_id, name, internal, distribution);
  snapshot_.params[std::string(name)] = internal;
  snapshot_.distributions[std::string(name)] = distribution;
  return internal;
}

namespace {

// The distribution `make` builds, its std::invalid_argument prefixed with the call and the
// parameter's name: an objective may suggest dozens, and the bound alone does not say which.
template <class Make>
auto named_distribution(const char* call, std::string_view name, Make&& make) {
  try {
    return make();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(call) + "('" + std::string(name) + "'): " + e.what());
  }
}

}  // namespace

double Trial::suggest_float(std::string_view name, double low, double high,
                            FloatOptions options) {
  return suggest(name, named_distribution("suggest_float", name, [&] {
                   return make_float_distribution(low, high, options.step, options.log);
                 }));
}

int64_t Trial::suggest_int(std::string_view name, int64_t low, int64_t high, IntOptions options) {
  return static_cast<int64_t>(std::llround(suggest(name, named_distribution("suggest_int", name, [&] {
    return make_int_distribution(low, high, options.step, options.log);
  }))));
}

ParamValue Trial::suggest_categorical(std::string_view name,
                                      const std::vector<CategoricalChoice>& choices) {
  CategoricalDistribution d = named_distribution("suggest_categorical", name, [&] {
    return make_categorical_distribution(choices);
  });
  double internal = suggest(name, d);
  return to_external(d, internal);
}

void Trial::report(double value, int64_t step) {
  if (study_->is_multi_objective()) {
    throw std::logic_error("report() is not supported in multi-objective studies");
  }
  if (step < 0) {
    throw std::invalid_argument("report: step must be >= 0, got " + std::to_string(step));
  }
  // Optuna keeps the first value reported for a step and ignores later ones.
  if (snapshot_.intermediate_values.contains(step)) return;
  study_->storage().set_trial_intermediate_value(snapshot_.trial_id, step, value);
  snapshot_.intermediate_values[step] = value;
}

bool Trial::should_prune() {
  if (study_->is_multi_objective()) {
    throw std::logic_error("should_prune() is not supported in multi-objective studies");
  }
  // Pruners see every trial; the view mirrors the system attributes they write (successive
  // halving's rungs) into this trial's snapshot.
  TrialStudyView view(*study_, nullptr, snapshot_);
  return study_->pruner().prune(view, snapshot_);
}

void Trial::set_user_attr(std::string_view key, const nlohmann::json& value) {
  study_->storage().set_trial_user_attr(snapshot_.trial_id, key, value);
  snapshot_.user_attrs[std::string(key)] = value;
}

void Trial::set_system_attr(std::string_view key, const nlohmann::json& value) {
  study_->storage().set_trial_system_attr(snapshot_.trial_id, key, value);
  snapshot_.system_attrs[std::string(key)] = value;
}

}  // namespace hpo
