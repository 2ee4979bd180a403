// PED-ANOVA over trials: picks the top and region trials, puts each param on a grid, compares.
#include "importance/ped_anova.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <variant>

#include "importance/grid_density.h"

namespace hpo {
namespace {

// The paper's and Optuna's resolution: finer grids need more trials per point to mean anything.
constexpr int64_t kMaxGridPoints = 50;
// Weight of the prior kernel against one trial's.
constexpr double kPriorWeight = 1.0;
// A quantile of one trial says nothing about a distribution; the top set has at least two.
constexpr size_t kMinTopTrials = 2;

std::string number(double x) {
  std::string s = std::to_string(x);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// The grid a param's values fall on: `size` points, equally spaced in internal space (log
// space for log params) from `lo` to `hi`; categoricals use their choice indices.
struct Grid {
  int64_t size = 1;
  bool categorical = false;
  bool log = false;
  double lo = 0.0;
  double hi = 0.0;

  size_t index_of(double internal) const {
    if (categorical) return static_cast<size_t>(internal);
    if (size == 1) return 0;
    const double v = log ? std::log(internal) : internal;
    const double spacing = (hi - lo) / static_cast<double>(size - 1);
    const double k = std::round((v - lo) / spacing);
    return static_cast<size_t>(std::clamp(k, 0.0, static_cast<double>(size - 1)));
  }
};

Grid grid_for(const Distribution& dist) {
  return std::visit(
      [](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        Grid g;
        if constexpr (std::is_same_v<T, CategoricalDistribution>) {
          g.categorical = true;
          g.size = static_cast<int64_t>(d.choices.size());
        } else {
          g.log = d.log;
          g.lo = d.log ? std::log(static_cast<double>(d.low)) : static_cast<double>(d.low);
          g.hi = d.log ? std::log(static_cast<double>(d.high)) : static_cast<double>(d.high);
          g.size = kMaxGridPoints;
          if constexpr (std::is_same_v<T, IntDistribution>) {
            if (d.log) {
              // Points an octave apart: a log int's small values are distinct, its large ones
              // are not worth a point each.
              const double octaves = std::ceil(std::log2(static_cast<double>(d.high - d.low + 1)));
              g.size = std::min(g.size, static_cast<int64_t>(octaves) + 1);
            } else {
              g.size = std::min(g.size, (d.high - d.low) / d.step + 1);
            }
          } else if (d.step) {
            g.size = std::min<int64_t>(g.size, std::llround((d.high - d.low) / *d.step) + 1);
          }
        }
        g.size = std::max<int64_t>(g.size, 1);
        return g;
      },
      dist);
}

// The params to assess and their one distribution across `trials`.
Distributions params_to_assess(const Trials& trials, const std::vector<std::string>& names) {
  Distributions space;
  if (names.empty()) {
    space = trials.front()->distributions;
    for (const TrialPtr& t : trials) {
      std::erase_if(space, [&t](const auto& entry) {
        auto found = t->distributions.find(entry.first);
        return found == t->distributions.end() || !(found->second == entry.second);
      });
    }
    return space;
  }
  for (const std::string& name : std::set<std::string>(names.begin(), names.end())) {
    for (const TrialPtr& t : trials) {
      auto found = t->distributions.find(name);
      if (found == t->distributions.end() || !t->params.contains(name)) {
        throw std::invalid_argument("ped_anova_importances: param '" + name +
                                    "' is missing from trial " + std::to_string(t->number) +
                                    "; pass only trials that have every param to assess");
      }
      auto [it, inserted] = space.emplace(name, found->second);
      if (!inserted && !(it->second == found->second)) {
        throw std::invalid_argument(
            "ped_anova_importances: param '" + name + "' has different distributions in the " +
            "trials (e.g. in trial " + std::to_string(t->number) +
            "); importance needs one distribution per param");
      }
    }
  }
  return space;
}

// Marks the trials whose loss is at most the `quantile` cut (and at least kMinTopTrials).
std::vector<bool> best_fraction(const std::vector<double>& losses, double quantile) {
  std::vector<double> sorted = losses;
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  const auto at_quantile = static_cast<size_t>(std::max(0.0, std::ceil(quantile * n) - 1.0));
  const size_t at_min = std::min(kMinTopTrials, sorted.size()) - 1;
  const double cutoff = sorted[std::max(at_quantile, at_min)];
  std::vector<bool> keep(losses.size());
  for (size_t i = 0; i < losses.size(); ++i) keep[i] = losses[i] <= cutoff;
  return keep;
}

std::vector<double> grid_counts(const Trials& trials, const std::vector<bool>& selected,
                                const std::string& name, const Grid& grid) {
  std::vector<double> counts(static_cast<size_t>(grid.size), 0.0);
  for (size_t i = 0; i < trials.size(); ++i) {
    if (!selected[i]) continue;
    const size_t k = grid.index_of(trials[i]->params.find(name)->second);
    if (k < counts.size()) counts[k] += 1.0;
  }
  return counts;
}

void check_options(const PedAnovaOptions& o) {
  if (!(o.target_quantile > 0.0 && o.target_quantile <= 1.0)) {
    throw std::invalid_argument("PedAnovaOptions::target_quantile must be in (0, 1], got " +
                                number(o.target_quantile));
  }
  if (!(o.region_quantile >= o.target_quantile && o.region_quantile <= 1.0)) {
    throw std::invalid_argument(
        "PedAnovaOptions::region_quantile must be in [target_quantile, 1] = [" +
        number(o.target_quantile) + ", 1], got " + number(o.region_quantile));
  }
}

}  // namespace

std::vector<ParamImportance> ped_anova_importances(const Trials& trials,
                                                   const std::vector<double>& targets,
                                                   StudyDirection direction,
                                                   const PedAnovaOptions& options) {
  check_options(options);
  if (trials.size() != targets.size()) {
    throw std::invalid_argument("ped_anova_importances: " + std::to_string(trials.size()) +
                                " trials but " + std::to_string(targets.size()) +
                                " targets; give one target per trial");
  }
  Trials kept;
  std::vector<double> losses;  // lower is better
  for (size_t i = 0; i < trials.size(); ++i) {
    if (!std::isfinite(targets[i])) continue;
    kept.push_back(trials[i]);
    losses.push_back(direction == StudyDirection::kMinimize ? targets[i] : -targets[i]);
  }
  if (kept.size() < 2) {
    throw std::invalid_argument(
        "ped_anova_importances needs at least 2 trials with a finite target, got " +
        std::to_string(kept.size()) + "; run more trials first");
  }

  const Distributions space = params_to_assess(kept, options.params);
  const std::vector<bool> top = best_fraction(losses, options.target_quantile);
  const std::vector<bool> region = best_fraction(losses, options.region_quantile);

  std::vector<ParamImportance> out;
  double sum = 0.0;
  for (const auto& [name, dist] : space) {
    double importance = 0.0;
    if (!is_single(dist)) {
      const Grid grid = grid_for(dist);
      const auto smooth = grid.categorical ? smoothed_categorical_pmf : smoothed_ordinal_pmf;
      importance = pearson_divergence(smooth(grid_counts(kept, top, name, grid), kPriorWeight),
                                      smooth(grid_counts(kept, region, name, grid), kPriorWeight));
    }
    out.push_back({name, importance});
    sum += importance;
  }
  if (options.normalize && sum > 0.0) {
    for (ParamImportance& p : out) p.importance /= sum;
  }
  std::stable_sort(out.begin(), out.end(), [](const ParamImportance& a, const ParamImportance& b) {
    if (a.importance != b.importance) return a.importance > b.importance;
    return a.name < b.name;
  });
  return out;
}

std::vector<ParamImportance> ped_anova_importances(const Trials& trials, StudyDirection direction,
                                                   size_t objective_index,
                                                   const PedAnovaOptions& options) {
  Trials complete;
  std::vector<double> targets;
  for (const TrialPtr& t : trials) {
    if (t->state != TrialState::kComplete) continue;
    if (objective_index >= t->values.size()) {
      throw std::invalid_argument("ped_anova_importances: trial " + std::to_string(t->number) +
                                  " has " + std::to_string(t->values.size()) +
                                  " values, so no objective " + std::to_string(objective_index) +
                                  "; pick an objective index below the number of directions");
    }
    complete.push_back(t);
    targets.push_back(t->values[objective_index]);
  }
  return ped_anova_importances(complete, targets, direction, options);
}

}  // namespace hpo
