#include "samplers/tpe/univariate_feed.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

#include "samplers/tpe/observations.h"

namespace hpo::tpe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Define-by-run studies may ask for many different params; past this many a study's feed drops
// its per-param state rather than growing without bound.
constexpr size_t kMaxParams = 256;

}  // namespace

// One study (and constant-liar setting): the finished trials read so far.
struct UnivariateFeed::PerStudy {
  StudyDirection direction = StudyDirection::kMinimize;
  bool constant_liar = false;
  int64_t settled = 0;             // every trial numbered below it is finished and recorded
  int64_t last_settled_id = -1;    // the trial id of trial settled - 1
  std::vector<char> recorded;      // by number: finished and read
  std::vector<char> included;      // by number: a finished trial with a rank key
  std::vector<double> step_keys;   // by number, for included trials
  std::vector<double> losses;
  std::vector<int> by_rank;        // included trial numbers, best first
  std::vector<TrialPtr> journal;   // included trials in the order they were read
  std::vector<TrialPtr> running;   // RUNNING trials at the last refresh (constant liar only)
  std::unordered_map<std::string, std::unique_ptr<PerParam>> params;
};

// One param: its values and the above estimator as of the last ask.
struct UnivariateFeed::PerParam {
  std::string name;
  Distribution distribution;
  size_t cursor = 0;                // journal entries read
  std::vector<double> values;       // by number (finished trials), NaN where unusable
  std::vector<char> member;         // by number: in the above estimator
  std::vector<char> ghost;          // by number: a below trial with a value (AboveDensity ghost)
  std::vector<double> member_value;
  std::vector<int> below;           // the last split's below trial numbers
  std::vector<int> running_members;  // running trials in the above estimator
  std::unique_ptr<AboveDensity> above;
  std::vector<double> below_values;  // what below_estimator was built from
  std::shared_ptr<const ParzenEstimator> below_estimator;
};

UnivariateFeed::UnivariateFeed() = default;
UnivariateFeed::~UnivariateFeed() = default;

void UnivariateFeed::refresh(const StudyView& study, PerStudy& ps) {
  const std::vector<double> signs = {ps.direction == StudyDirection::kMinimize ? 1.0 : -1.0};
  ps.running.clear();
  // The last settled trial comes along as a check that the study is still the one read: a
  // study deleted and made again under the same id and name has other trials.
  Trials trials = study.get_trials_from(std::max<int64_t>(ps.settled - 1, 0));
  if (ps.settled > 0) {
    if (trials.empty() || trials.front()->number != ps.settled - 1 ||
        trials.front()->trial_id != ps.last_settled_id) {
      const StudyDirection direction = study.directions().at(0);
      const bool constant_liar = ps.constant_liar;
      ps = PerStudy{};
      ps.direction = direction;
      ps.constant_liar = constant_liar;
      trials = study.get_trials_from(0);
    }
  }
  for (const TrialPtr& t : trials) {
    const size_t num = static_cast<size_t>(t->number);
    if (!is_finished(t->state)) {
      if (ps.constant_liar && t->state == TrialState::kRunning) ps.running.push_back(t);
      continue;
    }
    if (ps.recorded.size() <= num) {
      ps.recorded.resize(num + 1, 0);
      ps.included.resize(num + 1, 0);
      ps.step_keys.resize(num + 1, 0.0);
      ps.losses.resize(num + 1, 0.0);
    }
    if (ps.recorded[num]) continue;
    ps.recorded[num] = 1;
    double step_key, loss;
    if (!rank_key(*t, signs, &step_key, &loss)) continue;  // FAIL, or the wrong values
    ps.included[num] = 1;
    ps.step_keys[num] = step_key;
    ps.losses[num] = std::isnan(loss) ? kInf : loss;  // a NaN would break the strict order
    const int number = static_cast<int>(num);
    auto better = [&](int a, int b) {
      if (ps.step_keys[a] != ps.step_keys[b]) return ps.step_keys[a] < ps.step_keys[b];
      if (ps.losses[a] != ps.losses[b]) return ps.losses[a] < ps.losses[b];
      return a < b;
    };
    ps.by_rank.insert(std::upper_bound(ps.by_rank.begin(), ps.by_rank.end(), number, better),
                      number);
    ps.journal.push_back(t);
  }
  while (ps.settled < static_cast<int64_t>(ps.recorded.size()) &&
         ps.recorded[static_cast<size_t>(ps.settled)]) {
    ++ps.settled;
  }
  for (auto it = trials.rbegin(); it != trials.rend() && ps.settled > 0; ++it) {
    if ((*it)->number == ps.settled - 1) {
      ps.last_settled_id = (*it)->trial_id;
      break;
    }
  }
}

namespace {

template <class T>
void grow(std::vector<T>& v, size_t n, T fill) {
  if (v.size() < n) v.resize(n, fill);
}

}  // namespace

void UnivariateFeed::sync(PerStudy& ps, PerParam& pp, int64_t exclude_trial_id, int n_below) {
  // Trials whose membership may have changed: new finished ones, the old and new below sets,
  // and the old and new running trials.
  std::vector<int> touched;
  for (; pp.cursor < ps.journal.size(); ++pp.cursor) {
    const FrozenTrial& t = *ps.journal[pp.cursor];
    const size_t num = static_cast<size_t>(t.number);
    grow(pp.values, num + 1, kNaN);
    pp.values[num] = param_value(t, pp.name, pp.distribution);
    touched.push_back(static_cast<int>(num));
  }
  std::vector<int> below(ps.by_rank.begin(), ps.by_rank.begin() + n_below);
  std::sort(below.begin(), below.end());
  touched.insert(touched.end(), pp.below.begin(), pp.below.end());
  touched.insert(touched.end(), below.begin(), below.end());
  touched.insert(touched.end(), pp.running_members.begin(), pp.running_members.end());
  std::vector<std::pair<int, double>> running;  // (number, value) of running members to be
  for (const TrialPtr& t : ps.running) {
    if (t->trial_id == exclude_trial_id) continue;
    const double v = param_value(*t, pp.name, pp.distribution);
    if (std::isnan(v)) continue;
    running.emplace_back(static_cast<int>(t->number), v);
    touched.push_back(static_cast<int>(t->number));
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());

  std::vector<AboveDensity::Member> added;
  std::vector<int> removed, ghosts_added, ghosts_removed;
  std::vector<int> running_members;
  for (int num : touched) {
    const size_t n = static_cast<size_t>(num);
    grow(pp.member, n + 1, char{0});
    grow(pp.ghost, n + 1, char{0});
    grow(pp.member_value, n + 1, kNaN);
    double target = kNaN;
    bool ghost = false;  // below, and may join the above set at its place later
    const bool finished = n < ps.included.size() && ps.included[n];
    if (finished) {
      if (!std::binary_search(below.begin(), below.end(), num)) {
        target = pp.values[n];
      } else {
        ghost = !std::isnan(pp.values[n]);
      }
    } else {
      auto it = std::lower_bound(running.begin(), running.end(), std::pair(num, -kInf));
      if (it != running.end() && it->first == num) {
        target = it->second;
        running_members.push_back(num);
      }
    }
    const bool want = !std::isnan(target);
    if (pp.member[n] && (!want || pp.member_value[n] != target)) {
      removed.push_back(num);
      pp.member[n] = 0;
    }
    if (want && !pp.member[n]) {
      added.push_back({num, target});
      pp.member[n] = 1;
      pp.member_value[n] = target;
    }
    if (ghost != static_cast<bool>(pp.ghost[n])) {
      (ghost ? ghosts_added : ghosts_removed).push_back(num);
      pp.ghost[n] = ghost;
    }
  }
  pp.below = std::move(below);
  pp.running_members = std::move(running_members);
  pp.above->update(added, removed, ghosts_added, ghosts_removed);
}

UnivariateFeed::View UnivariateFeed::view(const StudyView& study, int64_t exclude_trial_id,
                                          const std::string& name,
                                          const Distribution& distribution,
                                          const ParzenDimension& dimension,
                                          const ParzenEstimatorOptions& options,
                                          bool constant_liar,
                                          const std::function<int(int)>& gamma) {
  View out;
  out.lock = std::unique_lock<std::mutex>(mutex_);
  const std::string key = std::to_string(study.study_id()) + '/' + study.study_name() +
                          (constant_liar ? "/liar" : "");
  std::unique_ptr<PerStudy>& slot = studies_[key];
  if (!slot) {
    slot = std::make_unique<PerStudy>();
    slot->direction = study.directions().at(0);
    slot->constant_liar = constant_liar;
  }
  PerStudy& ps = *slot;
  refresh(study, ps);

  out.n_finished = static_cast<int>(ps.by_rank.size());
  out.n_below = gamma(out.n_finished);
  if (out.n_below < 0 || out.n_below > out.n_finished) return out;

  if (ps.params.size() > kMaxParams && !ps.params.contains(name)) ps.params.clear();
  std::unique_ptr<PerParam>& pp = ps.params[name];
  if (!pp || !(pp->distribution == distribution)) {
    pp = std::make_unique<PerParam>();
    pp->name = name;
    pp->distribution = distribution;
    pp->above = std::make_unique<AboveDensity>(dimension, options);
  }
  sync(ps, *pp, exclude_trial_id, out.n_below);

  std::vector<double> below_values;
  for (int num : pp->below) {
    const double v = pp->values[static_cast<size_t>(num)];
    if (!std::isnan(v)) below_values.push_back(v);
  }
  out.below = Eigen::Map<const Eigen::VectorXd>(below_values.data(),
                                                static_cast<Eigen::Index>(below_values.size()));
  if (below_values != pp->below_values) {
    pp->below_values = std::move(below_values);
    pp->below_estimator.reset();
  }
  out.above = pp->above.get();
  out.below_estimator = &pp->below_estimator;
  return out;
}

}  // namespace hpo::tpe
