#include "samplers/tpe/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>

#include <Eigen/Core>

#include "core/seeding.h"
#include "samplers/random_sampler.h"
#include "samplers/tpe/estimator_cache.h"
#include "samplers/tpe/kept_above_store.h"
#include "samplers/tpe/kept_mass_cache.h"
#include "samplers/tpe/multi_objective.h"
#include "samplers/tpe/observations.h"
#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/univariate_feed.h"

namespace hpo {

class TpeSampler::ObservationCache : public tpe::StudyCache {
 public:
  tpe::EstimatorCache estimators;
  tpe::KeptMassCache masses;
  tpe::KeptAboveStore kept_above;
};

namespace {

using tpe::DimensionKind;
using tpe::ParzenDimension;

// A stream id per parameter list, so each param of a trial draws from its own random stream
// whatever the order of suggestions.
uint64_t stream_of(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) (joined += name) += '\n';
  return stable_hash(joined);
}

// Where a parameter lives in the estimator's space: log params in log space; ints and stepped
// floats on a grid whose cells are one step wide; categoricals as choice indices.
ParzenDimension dimension_of(const Distribution& d) {
  ParzenDimension dim;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    if (f->log) {
      dim.low = std::log(f->low);
      dim.high = std::log(f->high);
    } else if (f->step) {
      dim.kind = DimensionKind::kDiscrete;
      dim.step = *f->step;
      dim.low = f->low - 0.5 * dim.step;
      dim.high = f->high + 0.5 * dim.step;
    } else {
      dim.low = f->low;
      dim.high = f->high;
    }
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    if (i->log) {
      dim.low = std::log(static_cast<double>(i->low) - 0.5);
      dim.high = std::log(static_cast<double>(i->high) + 0.5);
    } else {
      dim.kind = DimensionKind::kDiscrete;
      dim.step = static_cast<double>(i->step);
      dim.low = static_cast<double>(i->low) - 0.5 * dim.step;
      dim.high = static_cast<double>(i->high) + 0.5 * dim.step;
    }
  } else {
    dim.kind = DimensionKind::kCategorical;
    dim.n_choices = static_cast<int>(std::get<CategoricalDistribution>(d).choices.size());
  }
  return dim;
}

// A point of the estimator's space -> the nearest value `d` can produce (internal).
double to_internal_value(const Distribution& d, double x) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    if (f->log) return std::clamp(std::exp(x), f->low, f->high);
    if (f->step) {
      return std::clamp(std::round((x - f->low) / *f->step) * *f->step + f->low, f->low, f->high);
    }
    return std::clamp(x, f->low, f->high);
  }
  if (const auto* i = std::get_if<IntDistribution>(&d)) {
    const double low = static_cast<double>(i->low), high = static_cast<double>(i->high);
    if (i->log) return std::clamp(std::round(std::exp(x)), low, high);
    const double step = static_cast<double>(i->step);
    return std::clamp(std::round((x - low) / step) * step + low, low, high);
  }
  return x;
}

double single_value(const Distribution& d) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) return f->low;
  if (const auto* i = std::get_if<IntDistribution>(&d)) return static_cast<double>(i->low);
  return 0.0;
}

Eigen::VectorXd checked_weights(const std::function<std::vector<double>(int)>& fn, int n) {
  const std::vector<double> w = fn ? fn(n) : tpe_default_weights(n);
  if (static_cast<int>(w.size()) < n) {
    throw std::invalid_argument("TPE weights(" + std::to_string(n) + ") returned " +
                                std::to_string(w.size()) + " values");
  }
  Eigen::VectorXd out(n);
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0) {
      throw std::invalid_argument("TPE weights must be finite and non-negative, got " +
                                  std::to_string(w[i]));
    }
    out(i) = w[i];
    sum += w[i];
  }
  if (n > 0 && sum <= 0) throw std::invalid_argument("TPE weights must not be all zero");
  return out;
}

// A multivariate "above" estimator with more kernels than this is kept across asks
// (KeptAboveEstimator) or, where that does not apply, takes its truncation masses from the
// KeptMassCache: below it, building it afresh costs little.
constexpr int kMinKeptKernels = 256;
// For EstimatorCache::get: the "above" estimator's truncation masses from `cache` (keys: the
// trial of each observation), at widths that may lag behind the estimator's (best_candidate
// recomputes exactly when that could change the choice); none for few kernels or one dimension.
tpe::EstimatorCache::MassesFor kept_masses(tpe::KeptMassCache& cache, uint64_t list,
                                           const std::vector<ParzenDimension>& dims,
                                           const tpe::ParzenEstimatorOptions& options,
                                           const std::vector<int>& keys) {
  return [&cache, list, &dims, &options, &keys](
             const Eigen::MatrixXd& observations) -> std::optional<tpe::KernelMasses> {
    if (!options.multivariate || dims.size() < 2 ||
        observations.rows() <= kMinKeptKernels) {
      return std::nullopt;
    }
    tpe::KernelMasses masses;
    cache.get(list, dims,
              tpe::ParzenEstimator::multivariate_widths(
                  dims, static_cast<int>(observations.rows()), options),
              observations, keys, masses);
    return masses;
  };
}

// Scores closer than the estimators' error bounds plus this are recomputed exactly; it covers
// the rounding of the two computations, far below it.
constexpr double kScoreRounding = 1e-9;

// Draws n_candidates from `below` and returns the one with the largest l(x) / g(x), where
// log_above(x, out) gives log g to within `above_error` (see
// ParzenEstimator::log_pdf_error_bound). When the best score does not lead the others by more
// than both bounds, exact_log_above(x, out) decides, so the choice is the exact one.
template <class LogAbove, class ExactLogAbove>
InternalParams best_candidate(const tpe::ParzenEstimator& below, int n_candidates,
                              std::mt19937_64& rng, const std::vector<Distribution>& distributions,
                              const std::vector<std::string>& names, const LogAbove& log_above,
                              double above_error, const ExactLogAbove& exact_log_above) {
  const int d = static_cast<int>(names.size());
  Eigen::MatrixXd candidates;
  below.sample(rng, n_candidates, candidates);
  // Score the values the trial would really get: on the grid, rounded ints.
  for (Eigen::Index i = 0; i < candidates.rows(); ++i) {
    for (int j = 0; j < d; ++j) {
      candidates(i, j) = tpe::to_estimator_space(distributions[j],
                                        to_internal_value(distributions[j], candidates(i, j)));
    }
  }
  Eigen::VectorXd log_l, log_g;
  below.log_pdf(candidates, log_l);
  log_above(candidates, log_g);
  Eigen::Index best = 0;
  (log_l - log_g).maxCoeff(&best);
  const double error = below.log_pdf_error_bound() + above_error;
  if (error > 0.0) {
    const Eigen::VectorXd scores = log_l - log_g;
    bool clear = true;
    for (Eigen::Index i = 0; i < scores.size(); ++i) {
      if (i != best && scores(best) - scores(i) <= 2.0 * error + kScoreRounding) clear = false;
    }
    if (!clear) {
      if (below.log_pdf_error_bound() > 0.0) {
        throw std::logic_error("TPE: the below estimator's densities must be exact");
      }
      exact_log_above(candidates, log_g);
      (log_l - log_g).maxCoeff(&best);
    }
  }

  InternalParams out;
  for (int j = 0; j < d; ++j) {
    out.emplace(names[j], to_internal_value(distributions[j], candidates(best, j)));
  }
  return out;
}

}  // namespace

int tpe_default_gamma(int n) {
  return std::min(static_cast<int>(std::ceil(0.1 * n)), 25);
}

int tpe_hyperopt_default_gamma(int n) {
  return std::min(static_cast<int>(std::ceil(0.25 * std::sqrt(static_cast<double>(n)))), 25);
}

std::vector<double> tpe_default_weights(int n) {
  if (n < 25) return std::vector<double>(std::max(n, 0), 1.0);
  // numpy.linspace(1/n, 1, n - 25) followed by 25 ones.
  std::vector<double> w(n, 1.0);
  const int ramp = n - 25;
  for (int i = 0; i < ramp; ++i) {
    w[i] = ramp == 1 ? 1.0 / n
                     : 1.0 / n + (1.0 - 1.0 / n) * static_cast<double>(i) / (ramp - 1);
  }
  return w;
}

TpeSampler::TpeSampler(TpeSamplerOptions options)
    : options_(std::move(options)),
      cache_(std::make_unique<ObservationCache>()),
      feed_(std::make_unique<tpe::UnivariateFeed>()) {
  if (options_.group && !options_.multivariate) {
    throw std::invalid_argument("TPE option group=true requires multivariate=true");
  }
  if (options_.n_startup_trials < 0) {
    throw std::invalid_argument("TPE n_startup_trials must be >= 0, got " +
                                std::to_string(options_.n_startup_trials));
  }
  if (options_.n_ei_candidates < 1) {
    throw std::invalid_argument("TPE n_ei_candidates must be >= 1, got " +
                                std::to_string(options_.n_ei_candidates));
  }
  if (!(options_.prior_weight > 0) || !std::isfinite(options_.prior_weight)) {
    throw std::invalid_argument("TPE prior_weight must be a positive number, got " +
                                std::to_string(options_.prior_weight));
  }
  seed_ = options_.seed ? *options_.seed : std::random_device{}() * 0x100000001ull ^
                                               std::random_device{}();
}

TpeSampler::~TpeSampler() = default;

void TpeSampler::reseed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(seed_mutex_);
  seed_ = seed;
}

tpe::ParzenEstimatorOptions TpeSampler::parzen_options() const {
  tpe::ParzenEstimatorOptions pe;
  pe.consider_prior = options_.consider_prior;
  pe.prior_weight = options_.prior_weight;
  pe.consider_magic_clip = options_.consider_magic_clip;
  pe.consider_endpoints = options_.consider_endpoints;
  pe.normalized_kernels = options_.normalized_kernels;
  pe.multivariate = options_.multivariate;
  return pe;
}

uint64_t TpeSampler::seed() const {
  std::lock_guard<std::mutex> lock(seed_mutex_);
  return seed_;
}

SearchSpace TpeSampler::infer_relative_search_space(const StudyView& study,
                                                    const FrozenTrial& /*trial*/) {
  if (!options_.multivariate) return {};
  if (!options_.group) return cache_->intersection_space(study);
  SearchSpace space;
  for (const SearchSpace& g : cache_->group_spaces(study)) {
    for (const auto& [name, d] : g) {
      if (!is_single(d)) space.emplace(name, d);
    }
  }
  return space;
}

InternalParams TpeSampler::sample_relative(const StudyView& study, const FrozenTrial& trial,
                                           const SearchSpace& space) {
  if (space.empty()) return {};
  std::vector<SearchSpace> parts;
  if (options_.group) {
    // One joint estimator per group: params of different groups never share a trial set.
    for (const SearchSpace& g : cache_->group_spaces(study)) {
      SearchSpace part;
      for (const auto& [name, d] : g) {
        auto it = space.find(name);
        if (it != space.end()) part.emplace(name, it->second);
      }
      if (!part.empty()) parts.push_back(std::move(part));
    }
  } else {
    parts.push_back(space);
  }
  InternalParams params;
  for (const SearchSpace& part : parts) {
    std::vector<std::string> names;
    std::vector<Distribution> dists;
    for (const auto& [name, d] : part) {
      names.push_back(name);
      dists.push_back(d);
    }
    std::optional<InternalParams> sampled =
        sample_space(study, trial, names, dists, stream_of(names));
    if (sampled) params.merge(*sampled);
  }
  return params;
}

double TpeSampler::sample_independent(const StudyView& study, const FrozenTrial& trial,
                                      std::string_view name, const Distribution& distribution) {
  if (is_single(distribution)) return single_value(distribution);
  const std::vector<std::string> names = {std::string(name)};
  const uint64_t stream = stream_of(names);
  std::optional<InternalParams> sampled = sample_space(study, trial, names, {distribution}, stream);
  if (sampled) return sampled->begin()->second;
  // Startup: uniform draws, from the same per-trial stream.
  std::mt19937_64 rng(trial_seed(seed(), trial.number, stream));
  return sample_internal_uniform(distribution, rng);
}

std::optional<InternalParams> TpeSampler::sample_space(
    const StudyView& study, const FrozenTrial& trial, const std::vector<std::string>& names,
    const std::vector<Distribution>& distributions, uint64_t stream) {
  const int n_objectives = static_cast<int>(study.directions().size());
  if (n_objectives > 2) {
    throw std::invalid_argument("TPE supports one or two objectives, got " +
                                std::to_string(n_objectives));
  }
  if (n_objectives == 1 && names.size() == 1 && !options_.multivariate && !options_.weights &&
      options_.consider_prior && options_.consider_magic_clip && !study.filtered()) {
    // Univariate: the feed keeps the above estimator across asks (for a view that shows every
    // trial: the feed is per study).
    const ParzenDimension dim = dimension_of(distributions[0]);
    const tpe::ParzenEstimatorOptions pe_options = parzen_options();
    tpe::UnivariateFeed::View view = feed_->view(
        study, trial.trial_id, names[0], distributions[0], dim, pe_options,
        options_.constant_liar, options_.gamma ? options_.gamma : tpe_default_gamma);
    if (view.n_finished < options_.n_startup_trials) return std::nullopt;
    if (view.above != nullptr) {
      std::shared_ptr<const tpe::ParzenEstimator>& pe_below = *view.below_estimator;
      if (!pe_below) {
        pe_below = std::make_shared<const tpe::ParzenEstimator>(
            std::vector<ParzenDimension>{dim}, view.below,
            checked_weights({}, static_cast<int>(view.below.rows())), pe_options);
      }
      std::mt19937_64 rng(trial_seed(seed(), trial.number, stream));
      auto log_above = [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) {
        view.above->log_pdf(x, out);
      };
      return best_candidate(*pe_below, options_.n_ei_candidates, rng, distributions, names,
                            log_above, 0.0, log_above);
    }
  }
  if (n_objectives == 1 && names.size() >= 2 && !options_.weights && !study.filtered()) {
    // Multivariate: the cache keeps the split and its matrices across asks, and ids for them
    // under which the estimators stay cached.
    std::vector<ParzenDimension> dims;
    dims.reserve(names.size());
    for (const Distribution& dist : distributions) dims.push_back(dimension_of(dist));
    const tpe::ParzenEstimatorOptions pe_options = parzen_options();
    auto weights = [](int n) { return checked_weights({}, n); };
    // Many above rows in a space the kept estimator supports: it follows the rows that join and
    // leave instead of a rebuild per ask, and needs no matrix of them once it holds some.
    const bool keepable = tpe::KeptAboveEstimator::supports(dims, pe_options);
    tpe::JointSplitOptions split_options;
    split_options.constant_liar = options_.constant_liar;
    split_options.n_startup_trials = options_.n_startup_trials;
    split_options.gamma = options_.gamma ? options_.gamma : tpe_default_gamma;
    split_options.above_matrix = !keepable || !cache_->kept_above.holds(stream);
    tpe::JointSplit split =
        cache_->joint_split(study, trial.trial_id, names, distributions, split_options);
    tpe::KeptAboveStore::Use kept;
    auto keep = [&] {
      if (keepable && split.ok && split.started &&
          static_cast<int>(split.above_numbers->size()) > kMinKeptKernels) {
        kept = cache_->kept_above.get(stream, split, dims, pe_options);
      }
    };
    keep();
    if (split.ok && split.started && !kept && !split.x_above) {
      // The kept estimator could not follow: the same split (or a newer one) with the matrix.
      split_options.above_matrix = true;
      split = cache_->joint_split(study, trial.trial_id, names, distributions, split_options);
      keep();
    }
    if (split.ok) {
      if (!split.started) return std::nullopt;
      const std::shared_ptr<const tpe::ParzenEstimator> pe_below =
          cache_->estimators.get(split.below_id, dims, *split.x_below, weights, pe_options);
      std::mt19937_64 rng(trial_seed(seed(), trial.number, stream));
      if (kept) {
        auto exact_log_above = [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) {
          // Rare: a ParzenEstimator of the same rows, every mass at its own widths.
          const std::vector<int>& numbers = *split.above_numbers;
          const tpe::ParzenEstimator exact(dims, kept->observations(numbers),
                                           weights(static_cast<int>(numbers.size())),
                                           pe_options);
          exact.log_pdf(x, out);
        };
        return best_candidate(
            *pe_below, options_.n_ei_candidates, rng, distributions, names,
            [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) { kept->log_pdf(x, out); },
            kept->log_pdf_error_bound(), exact_log_above);
      }
      const Eigen::MatrixXd& x_above = *split.x_above;
      auto exact_log_above = [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) {
        // Rare: the same estimator with every mass at its own widths.
        const tpe::ParzenEstimator exact(dims, x_above, weights(static_cast<int>(x_above.rows())),
                                         pe_options);
        exact.log_pdf(x, out);
      };
      const std::shared_ptr<const tpe::ParzenEstimator> pe_above =
          cache_->estimators.get(split.above_id, dims, x_above, weights, pe_options,
                                 kept_masses(cache_->masses, stream, dims, pe_options,
                                             *split.above_numbers));
      return best_candidate(
          *pe_below, options_.n_ei_candidates, rng, distributions, names,
          [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) { pe_above->log_pdf(x, out); },
          pe_above->log_pdf_error_bound(), exact_log_above);
    }
  }
  const tpe::Observations obs = cache_->collect(study, trial.trial_id, names, distributions,
                                                options_.constant_liar);
  if (obs.n_finished < options_.n_startup_trials) return std::nullopt;

  const int n_below = options_.gamma ? options_.gamma(obs.n_finished)
                                     : tpe_default_gamma(obs.n_finished);
  std::vector<int> below, above;
  if (n_objectives == 1) {
    cache_->split(obs, n_below, below, above);
  } else {
    tpe::split_two_objective(obs, n_below, below, above);
  }
  std::vector<double> mo_weights;
  if (n_objectives == 2) mo_weights = tpe::two_objective_below_weights(obs, below);

  // Trials that lack one of the params (conditional spaces, running trials) are left out after
  // the split, as in Optuna: they still count for who is "below".
  const int d = static_cast<int>(names.size());
  auto complete = [&](int i) {
    for (int j = 0; j < d; ++j) {
      if (std::isnan(obs.value(i, j))) return false;
    }
    return true;
  };
  auto to_matrix = [&](const std::vector<int>& rows, std::vector<int>& kept) {
    kept.clear();
    for (size_t r = 0; r < rows.size(); ++r) {
      if (complete(rows[r])) kept.push_back(static_cast<int>(r));
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(kept.size()), d);
    for (size_t r = 0; r < kept.size(); ++r) {
      for (int j = 0; j < d; ++j) {
        m(static_cast<Eigen::Index>(r), j) =
            obs.value(rows[kept[r]], j);
      }
    }
    return m;
  };
  std::vector<int> kept_below, kept_above;
  Eigen::MatrixXd x_below = to_matrix(below, kept_below);
  Eigen::MatrixXd x_above = to_matrix(above, kept_above);
  const int nb = static_cast<int>(kept_below.size());
  Eigen::VectorXd w_below;
  if (n_objectives == 2) {
    w_below.resize(nb);
    for (int r = 0; r < nb; ++r) w_below(r) = mo_weights[kept_below[r]];
  } else {
    w_below = checked_weights(options_.weights, nb);
  }
  Eigen::VectorXd w_above =
      checked_weights(options_.weights, static_cast<int>(kept_above.size()));

  std::vector<ParzenDimension> dims;
  dims.reserve(d);
  for (const Distribution& dist : distributions) dims.push_back(dimension_of(dist));
  Eigen::MatrixXd x_above_sorted;
  if (d == 1 && dims[0].kind != DimensionKind::kCategorical &&
      static_cast<int>(obs.rows_by_value.size()) >= static_cast<int>(kept_above.size())) {
    // The "above" estimator only scores candidates, so its kernels may come in any order: in
    // order of value (which the cache keeps across asks) it need not sort them.
    std::vector<int> position(obs.size(), -1);
    for (size_t r = 0; r < kept_above.size(); ++r) {
      position[above[kept_above[r]]] = static_cast<int>(r);
    }
    x_above_sorted.resize(x_above.rows(), 1);
    Eigen::VectorXd w_sorted(w_above.size());
    Eigen::Index next = 0;
    for (int row : obs.rows_by_value) {
      const int r = position[row];
      if (r < 0) continue;
      x_above_sorted(next, 0) = x_above(r, 0);
      w_sorted(next) = w_above(r);
      ++next;
    }
    if (next == x_above.rows()) {
      w_above = std::move(w_sorted);
    } else {
      x_above_sorted.resize(0, 0);  // some kept row lacks an order: keep trial order
    }
  }
  const tpe::ParzenEstimatorOptions pe_options = parzen_options();
  const std::shared_ptr<const tpe::ParzenEstimator> pe_below =
      cache_->estimators.get(dims, std::move(x_below), std::move(w_below), pe_options);
  std::vector<int> keys(kept_above.size());  // the above rows' trials
  for (size_t r = 0; r < kept_above.size(); ++r) keys[r] = above[kept_above[r]];
  const std::shared_ptr<const tpe::ParzenEstimator> pe_above = cache_->estimators.get(
      dims, x_above_sorted.size() > 0 ? std::move(x_above_sorted) : std::move(x_above),
      std::move(w_above), pe_options, kept_masses(cache_->masses, stream, dims, pe_options, keys));
  auto exact_log_above = [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) {
    // Rare: the same estimator with every mass at its own widths.
    std::vector<int> kept;
    const Eigen::MatrixXd observations = to_matrix(above, kept);
    const tpe::ParzenEstimator exact(
        dims, observations, checked_weights(options_.weights, static_cast<int>(kept.size())),
        pe_options);
    exact.log_pdf(x, out);
  };

  std::mt19937_64 rng(trial_seed(seed(), trial.number, stream));
  return best_candidate(
      *pe_below, options_.n_ei_candidates, rng, distributions, names,
      [&](const Eigen::MatrixXd& x, Eigen::VectorXd& out) { pe_above->log_pdf(x, out); },
      pe_above->log_pdf_error_bound(), exact_log_above);
}

}  // namespace hpo
