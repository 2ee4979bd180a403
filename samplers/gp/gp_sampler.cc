// GpSampler: trials -> a box of coordinates -> GP -> log EI -> params.
#include "samplers/gp/gp_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <Eigen/Core>

#include "core/search_space.h"
#include "core/seeding.h"
#include "samplers/gp/acquisition.h"
#include "samplers/gp/gaussian_process.h"
#include "samplers/gp/scrambled_halton.h"
#include "samplers/random_sampler.h"
#include "samplers/search_space_transform.h"

namespace hpo {
namespace {

// Streams of trial_seed(), so that the startup sequence and the acquisition candidates of one
// trial draw independent numbers.
constexpr uint64_t kStartupStream = 0x67702d7374617274;  // "gp-start"
constexpr uint64_t kAcquisitionStream = 0x67702d6163717566;  // "gp-acquf"

void require(bool ok, const std::string& what, const std::string& value) {
  if (!ok) throw std::invalid_argument(what + ", got " + value);
}

std::vector<bool> categorical_mask(const SearchSpaceTransform& t) {
  std::vector<bool> mask(t.n_dims());
  for (size_t k = 0; k < t.n_dims(); ++k) mask[k] = t.is_categorical(k);
  return mask;
}

bool has_all(const FrozenTrial& t, const SearchSpace& space) {
  for (const auto& [name, dist] : space) {
    if (!t.params.contains(name)) return false;
  }
  return true;
}

Eigen::RowVectorXd to_row(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::RowVectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

// The GP of the last call, reused while the space and the training trials only grow.
struct GpSampler::Model {
  SearchSpace space;
  std::vector<int64_t> trial_ids;  // training rows, in row order
  std::unordered_set<int64_t> id_set;
  std::optional<GaussianProcess> gp;  // over all rows, under `params`
  KernelParams params;
  bool fitted = false;
  int n_at_fit = 0;
  // Proposals handed out for trials still running: trial_id -> coordinates. They stand in for
  // the trial's params until the trial records them.
  std::map<int64_t, std::vector<double>> pending;
};

GpSampler::GpSampler(GpSamplerOptions options)
    : options_(options), model_(std::make_unique<Model>()) {
  require(options_.n_startup_trials >= 0, "n_startup_trials must be >= 0",
          std::to_string(options_.n_startup_trials));
  require(options_.n_preliminary_samples >= 1, "n_preliminary_samples must be >= 1",
          std::to_string(options_.n_preliminary_samples));
  require(options_.n_local_search >= 0, "n_local_search must be >= 0",
          std::to_string(options_.n_local_search));
  require(options_.refit_every_trial_until >= 0, "refit_every_trial_until must be >= 0",
          std::to_string(options_.refit_every_trial_until));
  require(options_.max_fit_points >= 2, "max_fit_points must be >= 2",
          std::to_string(options_.max_fit_points));
  require(options_.refit_growth >= 0.0 && std::isfinite(options_.refit_growth),
          "refit_growth must be a finite number >= 0", std::to_string(options_.refit_growth));
  seed_ = options_.seed ? *options_.seed : std::random_device()();
  RandomSamplerOptions random_options;
  random_options.seed = seed_;
  independent_ = std::make_shared<RandomSampler>(random_options);
}

GpSampler::~GpSampler() = default;

SearchSpace GpSampler::infer_relative_search_space(const StudyView& study,
                                                   const FrozenTrial& /*trial*/) {
  if (study.is_multi_objective()) return {};
  return intersection_search_space(study.get_trials({TrialState::kComplete}));
}

InternalParams GpSampler::sample_startup(const FrozenTrial& trial, const SearchSpace& space) const {
  const SearchSpaceTransform t(space);
  const ScrambledHalton halton(static_cast<int>(t.n_dims()), trial_seed(seed_, 0, kStartupStream));
  std::vector<double> u(t.n_dims());
  halton.point(static_cast<uint64_t>(std::max<int64_t>(trial.number, 0)), u.data());
  for (size_t k = 0; k < u.size(); ++k) u[k] = t.coordinate_from_uniform(k, u[k]);
  return t.from_coordinates(u);
}

InternalParams GpSampler::sample_relative(const StudyView& study, const FrozenTrial& trial,
                                          const SearchSpace& space) {
  if (space.empty() || study.is_multi_objective()) return {};
  const Trials complete = study.get_trials({TrialState::kComplete});
  std::lock_guard<std::mutex> lock(mu_);
  Model& m = *model_;
  if (static_cast<int>(complete.size()) < options_.n_startup_trials) {
    InternalParams p = sample_startup(trial, space);
    m.pending[trial.trial_id] = SearchSpaceTransform(space).to_coordinates(p);
    return p;
  }

  const SearchSpaceTransform t(space);
  const std::vector<bool> cat = categorical_mask(t);
  const auto dims = static_cast<Eigen::Index>(t.n_dims());
  const double sign = study.directions()[0] == StudyDirection::kMaximize ? 1.0 : -1.0;

  // Training data; the cache survives only if every cached trial is still among them.
  std::map<int64_t, const FrozenTrial*> by_id;
  for (const TrialPtr& c : complete) {
    if (has_all(*c, space) && !c->values.empty()) by_id[c->trial_id] = c.get();
  }
  bool reset = m.space != space;
  for (int64_t id : m.trial_ids) reset = reset || !by_id.contains(id);
  if (reset) {
    m.space = space;
    m.trial_ids.clear();
    m.id_set.clear();
    m.gp.reset();
    m.fitted = false;
  }
  const size_t n_old = m.trial_ids.size();
  for (const auto& [id, c] : by_id) {
    if (m.id_set.insert(id).second) m.trial_ids.push_back(id);
  }
  const auto n = static_cast<Eigen::Index>(m.trial_ids.size());
  if (n == 0) return sample_startup(trial, space);

  Eigen::MatrixXd x(n, dims);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const FrozenTrial& c = *by_id.at(m.trial_ids[i]);
    x.row(i) = to_row(t.to_coordinates(c.params));
    y[i] = sign * c.values[0];
  }
  // Infinite values become the worst (or best) finite one, as Optuna does.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : y) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) lo = hi = 0.0;
  for (double& v : y) {
    if (!std::isfinite(v)) v = v > 0 ? hi : lo;
  }
  const double mean = y.mean();
  const double sd = std::sqrt((y.array() - mean).square().mean());
  y = ((y.array() - mean) / std::max(sd, 1e-10)).matrix();

  const bool refit = !m.fitted || n <= options_.refit_every_trial_until ||
                     static_cast<double>(n) >= m.n_at_fit * (1.0 + options_.refit_growth);
  if (refit) {
    FitOptions fit;
    fit.deterministic_objective = options_.deterministic_objective;
    const KernelParams start =
        m.fitted ? m.params : KernelParams::initial(static_cast<int>(dims));
    if (n <= options_.max_fit_points) {
      m.params = fit_kernel_params(x, y, cat, start, fit);
    } else {
      const Eigen::Index k = options_.max_fit_points;
      Eigen::MatrixXd xf(k, dims);
      Eigen::VectorXd yf(k);
      for (Eigen::Index i = 0; i < k; ++i) {
        const Eigen::Index row = i * n / k;
        xf.row(i) = x.row(row);
        yf[i] = y[row];
      }
      m.params = fit_kernel_params(xf, yf, cat, start, fit);
    }
    m.gp.emplace(x, y, cat, m.params);
    m.fitted = true;
    m.n_at_fit = static_cast<int>(n);
  } else {
    const auto added = n - static_cast<Eigen::Index>(n_old);
    m.gp->append(x.bottomRows(added), y.tail(added));
    m.gp->set_targets(y);
  }

  // Kriging believer: other running trials are observed at the posterior mean.
  std::set<int64_t> running_ids;
  std::vector<std::vector<double>> running;
  for (const TrialPtr& r : study.get_trials({TrialState::kRunning})) {
    running_ids.insert(r->trial_id);
    if (r->trial_id == trial.trial_id) continue;
    if (has_all(*r, space)) {
      running.push_back(t.to_coordinates(r->params));
    } else if (auto it = m.pending.find(r->trial_id); it != m.pending.end()) {
      running.push_back(it->second);
    }
  }
  std::erase_if(m.pending, [&](const auto& e) { return !running_ids.contains(e.first); });
  std::optional<GaussianProcess> believer;
  if (!running.empty()) {
    Eigen::MatrixXd xr(static_cast<Eigen::Index>(running.size()), dims);
    for (size_t i = 0; i < running.size(); ++i) xr.row(static_cast<Eigen::Index>(i)) = to_row(running[i]);
    Eigen::VectorXd mr, vr;
    m.gp->predict(xr, &mr, &vr);
    believer.emplace(*m.gp);
    believer->append(xr, mr);
  }
  const GaussianProcess& gp = believer ? *believer : *m.gp;

  Eigen::Index best_i;
  const double best = y.maxCoeff(&best_i);
  std::vector<int> n_choices(t.n_dims());
  for (size_t k = 0; k < t.n_dims(); ++k) n_choices[k] = t.n_choices(k);
  AcquisitionOptions acq;
  acq.n_candidates = options_.n_preliminary_samples;
  if (n > options_.max_fit_points) {
    // Scoring a candidate or a local-search step costs O(n^2): shrink both in proportion to
    // (max_fit_points / n)^2 so that a suggestion costs about what it costs at max_fit_points.
    const double r = static_cast<double>(options_.max_fit_points) / static_cast<double>(n);
    acq.n_candidates = std::min(acq.n_candidates,
                                std::max(256, static_cast<int>(acq.n_candidates * r * r)));
    acq.n_local_search = std::min(acq.n_local_search,
                                  std::max(2, static_cast<int>(acq.n_local_search * r * r)));
  }
  const Eigen::VectorXd xs =
      maximize_log_ei(gp, best, n_choices, {x.row(best_i).transpose()},
                      trial_seed(seed_, trial.number, kAcquisitionStream), acq);

  InternalParams params = t.from_coordinates(std::vector<double>(xs.data(), xs.data() + xs.size()));
  m.pending[trial.trial_id] = t.to_coordinates(params);
  return params;
}

double GpSampler::sample_independent(const StudyView& study, const FrozenTrial& trial,
                                     std::string_view name, const Distribution& distribution) {
  return independent_->sample_independent(study, trial, name, distribution);
}

void GpSampler::after_trial(const StudyView& study, const FrozenTrial& trial, TrialState state,
                            const std::vector<double>& values) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    model_->pending.erase(trial.trial_id);
  }
  independent_->after_trial(study, trial, state, values);
}

void GpSampler::reseed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  seed_ = seed;
  independent_->reseed(seed);
}

}  // namespace hpo
