#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/study.h"
#include "samplers/random_sampler.h"
#include "samplers/tpe/estimator_cache.h"
#include "samplers/tpe/observations.h"
#include "samplers/tpe/tpe_sampler.h"

namespace hpo::tpe {
namespace {

const std::vector<std::string> kNames = {"a", "b"};
const std::vector<Distribution> kDists = {make_float_distribution(0.0, 10.0),
                                          make_float_distribution(-1.0, 1.0)};

std::shared_ptr<Study> empty_study(StudyDirection direction = StudyDirection::kMinimize) {
  CreateStudyOptions create;
  create.sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{1});
  create.directions = {direction};
  return Study::create(std::move(create));
}

// A finished trial with a and (unless `without_b`) b.
FrozenTrial finished(TrialState state, double a, std::optional<double> b,
                     std::vector<double> values, std::map<int64_t, double> intermediate = {}) {
  FrozenTrial t;
  t.state = state;
  t.params["a"] = a;
  t.distributions["a"] = kDists[0];
  if (b) {
    t.params["b"] = *b;
    t.distributions["b"] = kDists[1];
  }
  t.values = std::move(values);
  t.intermediate_values = std::move(intermediate);
  return t;
}

JointSplitOptions options(bool liar, int n_startup = 0) {
  JointSplitOptions o;
  o.constant_liar = liar;
  o.n_startup_trials = n_startup;
  o.gamma = tpe_default_gamma;
  return o;
}

// What the sampler built before the cache kept the split: a fresh collect, the split, and the
// complete rows of each side in trial-number order.
struct Expected {
  int n_finished = 0;
  Eigen::MatrixXd below, above;
};

Expected expected(const Study& study, int64_t exclude, bool liar,
                  const std::function<int(int)>& gamma = tpe_default_gamma) {
  StudyCache fresh;
  const Observations obs = fresh.collect(study, exclude, kNames, kDists, liar);
  std::vector<int> below, above;
  split_single_objective(obs, gamma(obs.n_finished), below, above);
  auto to_matrix = [&](const std::vector<int>& rows) {
    std::vector<int> kept;
    for (int r : rows) {
      if (!std::isnan(obs.value(r, 0)) && !std::isnan(obs.value(r, 1))) kept.push_back(r);
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(kept.size()), 2);
    for (size_t i = 0; i < kept.size(); ++i) {
      for (int j = 0; j < 2; ++j) m(static_cast<Eigen::Index>(i), j) = obs.value(kept[i], j);
    }
    return m;
  };
  return {obs.n_finished, to_matrix(below), to_matrix(above)};
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * sizeof(double)) == 0);
}

void expect_split(const JointSplit& got, const Expected& want) {
  ASSERT_TRUE(got.ok);
  ASSERT_TRUE(got.started);
  EXPECT_EQ(got.n_finished, want.n_finished);
  EXPECT_TRUE(same_bits(*got.x_below, want.below)) << *got.x_below << "\nvs\n" << want.below;
  EXPECT_TRUE(same_bits(*got.x_above, want.above)) << got.x_above->rows() << " vs "
                                                   << want.above.rows();
}

TEST(JointSplitTest, KeptAcrossCallsItEqualsAFreshCollectAndSplit) {
  // Trials complete, get pruned, fail, lack b, run (some with params, some without) and finish
  // out of order; every call of the long-lived cache must give what a fresh one gives.
  for (bool liar : {true, false}) {
    auto study = empty_study(liar ? StudyDirection::kMinimize : StudyDirection::kMaximize);
    StudyCache cache;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Trial> running;
    for (int step = 0; step < 150; ++step) {
      const int r = static_cast<int>(rng() % 12);
      const double a = 10.0 * u(rng), b = -1.0 + 2.0 * u(rng);
      if (r < 5) {
        // Ties in the objective (coarse values) keep trial-number order.
        study->add_trial(
            finished(TrialState::kComplete, a, b, {std::floor(8.0 * u(rng))}));
      } else if (r == 5) {
        study->add_trial(finished(TrialState::kComplete, a, std::nullopt, {u(rng)}));
      } else if (r == 6) {
        study->add_trial(finished(TrialState::kPruned, a, b, {}, {{step % 4, u(rng)}}));
      } else if (r == 7) {
        study->add_trial(finished(TrialState::kFail, a, b, {}));
      } else if (r == 8) {
        running.push_back(study->ask());
        running.back().suggest_float("a", 0.0, 10.0);
        if (rng() % 2) running.back().suggest_float("b", -1.0, 1.0);
      } else if (r == 9 && !running.empty()) {
        const size_t i = rng() % running.size();
        if (rng() % 3 == 0) {
          study->tell(running[i], TrialState::kFail);
        } else {
          study->tell(running[i], u(rng));
        }
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      }
      // The asking trial: a new one, a running one, or a finished one (left out alike).
      int64_t exclude = -1;
      const Trials all = study->trials();
      if (r == 10 && !running.empty()) exclude = running.front().trial_id();
      if (r == 11 && !all.empty()) exclude = all[rng() % all.size()]->trial_id;
      SCOPED_TRACE(::testing::Message() << "liar " << liar << " step " << step);
      expect_split(cache.joint_split(*study, exclude, kNames, kDists, options(liar)),
                   expected(*study, exclude, liar));
    }
  }
}

TEST(JointSplitTest, IdsChangeExactlyWhenASidesRowsChange) {
  auto study = empty_study();
  for (int i = 0; i < 300; ++i) {
    study->add_trial(finished(TrialState::kComplete, 0.03 * i, 0.0, {100.0 + i}));
  }
  StudyCache cache;
  const JointSplit first = cache.joint_split(*study, -1, kNames, kDists, options(true));
  ASSERT_TRUE(first.started);
  EXPECT_EQ(first.x_below->rows(), 25);  // min(ceil(0.1 * 300), 25)

  // A failed trial and a trial without any param leave the rows alone: the very same result.
  study->add_trial(finished(TrialState::kFail, 1.0, 0.0, {}));
  Trial asking = study->ask();
  JointSplit again = cache.joint_split(*study, asking.trial_id(), kNames, kDists, options(true));
  EXPECT_EQ(again.below_id, first.below_id);
  EXPECT_EQ(again.above_id, first.above_id);
  EXPECT_EQ(again.x_above.get(), first.x_above.get());
  study->tell(asking, TrialState::kFail);

  // A worse trial joins the above side only.
  study->add_trial(finished(TrialState::kComplete, 2.0, 0.5, {1000.0}));
  const JointSplit worse = cache.joint_split(*study, -1, kNames, kDists, options(true));
  EXPECT_EQ(worse.below_id, first.below_id);
  EXPECT_NE(worse.above_id, first.above_id);
  EXPECT_EQ(worse.x_above->rows(), first.x_above->rows() + 1);

  // With constant liar a running trial with both params joins the above side; once it
  // finishes as the best trial it is below (and its row has its final values).
  Trial runner = study->ask();
  runner.suggest_float("a", 0.0, 10.0);
  runner.suggest_float("b", -1.0, 1.0);
  const JointSplit with_runner = cache.joint_split(*study, -1, kNames, kDists, options(true));
  EXPECT_EQ(with_runner.below_id, worse.below_id);
  EXPECT_NE(with_runner.above_id, worse.above_id);
  EXPECT_EQ(with_runner.x_above->rows(), worse.x_above->rows() + 1);
  // Its row is named by its trial number, in order with the others.
  const std::vector<int>& numbers = *with_runner.above_numbers;
  EXPECT_EQ(numbers.size(), static_cast<size_t>(with_runner.x_above->rows()));
  EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()));
  EXPECT_EQ(numbers.front(), 25);  // trials 0..24, the best 25, are below
  EXPECT_NE(std::find(numbers.begin(), numbers.end(), static_cast<int>(runner.number())),
            numbers.end());
  const JointSplit no_liar = cache.joint_split(*study, -1, kNames, kDists, options(false));
  EXPECT_EQ(no_liar.x_above->rows(), worse.x_above->rows());
  study->tell(runner, -5.0);
  const JointSplit best = cache.joint_split(*study, -1, kNames, kDists, options(true));
  EXPECT_NE(best.below_id, worse.below_id);
  expect_split(best, expected(*study, -1, true));

  // Another gamma moves rows between the sides.
  JointSplitOptions wide = options(true);
  wide.gamma = [](int) { return 10; };
  const JointSplit ten = cache.joint_split(*study, -1, kNames, kDists, wide);
  EXPECT_NE(ten.below_id, best.below_id);
  EXPECT_NE(ten.above_id, best.above_id);
  expect_split(ten, expected(*study, -1, true, wide.gamma));

  // Changed distributions start the list afresh: new ids for the same trials.
  const std::vector<Distribution> wider = {make_float_distribution(0.0, 20.0), kDists[1]};
  const JointSplit other = cache.joint_split(*study, -1, kNames, wider, options(true));
  EXPECT_NE(other.below_id, best.below_id);
  EXPECT_NE(other.above_id, best.above_id);
  EXPECT_EQ(other.n_finished, best.n_finished);
}

TEST(JointSplitTest, WithoutTheMatrixItSaysWhichRowsJoinedAndLeft) {
  auto study = empty_study();
  for (int i = 0; i < 300; ++i) {
    study->add_trial(finished(TrialState::kComplete, 0.03 * i, 0.0, {100.0 + i}));
  }
  StudyCache cache;
  JointSplitOptions no_matrix = options(false);
  no_matrix.above_matrix = false;
  const JointSplit first = cache.joint_split(*study, -1, kNames, kDists, no_matrix);
  ASSERT_TRUE(first.started);
  EXPECT_EQ(first.above_parent_id, 0u);  // gathered afresh: with the matrix
  ASSERT_NE(first.x_above, nullptr);

  // A new best trial pushes the 25th best (trial 24) back to the above side.
  study->add_trial(finished(TrialState::kComplete, 5.0, 0.5, {0.0}));
  const JointSplit pushed = cache.joint_split(*study, -1, kNames, kDists, no_matrix);
  EXPECT_EQ(pushed.x_above, nullptr);
  EXPECT_EQ(pushed.above_parent_id, first.above_id);
  EXPECT_EQ(*pushed.above_joined, std::vector<int>{24});
  EXPECT_TRUE(pushed.above_left->empty());
  ASSERT_EQ(pushed.above_joined_rows->rows(), 1);
  EXPECT_EQ(pushed.above_joined_rows->row(0), Eigen::RowVector2d(0.03 * 24, 0.0));

  // A worse one joins at the end; asked with the matrix, the same rows come gathered.
  study->add_trial(finished(TrialState::kComplete, 6.0, -0.5, {1000.0}));
  const JointSplit worse = cache.joint_split(*study, -1, kNames, kDists, no_matrix);
  EXPECT_EQ(worse.above_parent_id, pushed.above_id);
  EXPECT_EQ(*worse.above_joined, std::vector<int>{301});
  std::vector<int> numbers = *first.above_numbers;
  numbers.push_back(301);
  numbers.insert(std::lower_bound(numbers.begin(), numbers.end(), 24), 24);
  EXPECT_EQ(*worse.above_numbers, numbers);
  const JointSplit with_matrix = cache.joint_split(*study, -1, kNames, kDists, options(false));
  EXPECT_EQ(with_matrix.above_id, worse.above_id);
  expect_split(with_matrix, expected(*study, -1, false));

  // A trial that leaves the above side for the below one (here a larger gamma) is listed as
  // left.
  JointSplitOptions larger_gamma = no_matrix;
  larger_gamma.gamma = [](int) { return 26; };
  const JointSplit left = cache.joint_split(*study, -1, kNames, kDists, larger_gamma);
  EXPECT_EQ(left.above_parent_id, with_matrix.above_id);
  EXPECT_EQ(*left.above_left, std::vector<int>{24});
  EXPECT_TRUE(left.above_joined->empty());
  EXPECT_EQ(left.x_above, nullptr);
}

TEST(JointSplitTest, StartupAndOtherStudiesAreSeparate) {
  auto one = empty_study();
  auto two = empty_study();
  StudyCache cache;
  for (int i = 0; i < 5; ++i) one->add_trial(finished(TrialState::kComplete, i, 0.0, {1.0 * i}));
  const JointSplit early = cache.joint_split(*one, -1, kNames, kDists, options(true, 10));
  EXPECT_TRUE(early.ok);
  EXPECT_FALSE(early.started);
  EXPECT_EQ(early.n_finished, 5);
  for (int i = 0; i < 20; ++i) {
    two->add_trial(finished(TrialState::kComplete, i * 0.5, 0.5, {-1.0 * i}));
  }
  const JointSplit a = cache.joint_split(*one, -1, kNames, kDists, options(true));
  const JointSplit b = cache.joint_split(*two, -1, kNames, kDists, options(true));
  EXPECT_NE(a.above_id, b.above_id);
  EXPECT_NE(a.below_id, b.below_id);
  expect_split(a, expected(*one, -1, true));
  expect_split(b, expected(*two, -1, true));
}

TEST(JointSplitTest, WorkersSplittingAtOnceGetWhatAFreshCacheGives) {
  auto study = empty_study();
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 300; ++i) {
    study->add_trial(finished(TrialState::kComplete, 10.0 * u(rng), u(rng) - 0.5, {u(rng)}));
  }
  StudyCache cache;
  std::vector<Trial> askers;
  for (int w = 0; w < 4; ++w) askers.push_back(study->ask());
  std::vector<Expected> want;
  for (const Trial& t : askers) want.push_back(expected(*study, t.trial_id(), true));
  std::vector<std::vector<JointSplit>> got(askers.size());
  std::vector<std::thread> workers;
  for (size_t w = 0; w < askers.size(); ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        got[w].push_back(
            cache.joint_split(*study, askers[w].trial_id(), kNames, kDists, options(true)));
      }
    });
  }
  for (std::thread& t : workers) t.join();
  for (size_t w = 0; w < askers.size(); ++w) {
    for (const JointSplit& s : got[w]) expect_split(s, want[w]);
  }
}

// The sampler reads the split from joint_split unless custom weights are given; with the
// default weights given as custom ones it collects and splits on every ask as before. Both
// must propose the very same params, with workers running at once, failures and prunes.
TEST(JointSplitTest, TheSamplerProposesWhatCollectingOnEveryAskProposes) {
  for (size_t workers : {1, 3}) {
  SCOPED_TRACE(workers);
  auto make = [](bool custom_weights) {
    TpeSamplerOptions o;
    o.seed = 11;
    o.n_startup_trials = 5;
    if (custom_weights) o.weights = tpe_default_weights;
    CreateStudyOptions create;
    create.sampler = std::make_shared<TpeSampler>(o);
    return Study::create(std::move(create));
  };
  auto joint = make(false);
  auto collected = make(true);
  auto suggest = [](Trial& t) {
    double v = t.suggest_float("x", -3.0, 3.0);
    v += std::log(t.suggest_float("lr", 1e-4, 1.0, {.step = std::nullopt, .log = true}));
    v += static_cast<double>(t.suggest_int("n", 0, 6));
    v += t.suggest_categorical<std::string>("c", {"p", "q", "r"}) == "q" ? -1.0 : 0.0;
    return v * v;
  };
  std::vector<std::pair<Trial, Trial>> running;
  for (int i = 0; i < 120; ++i) {
    Trial a = joint->ask();
    Trial b = collected->ask();
    const double va = suggest(a);
    const double vb = suggest(b);
    ASSERT_EQ(a.snapshot().params, b.snapshot().params) << i;
    running.emplace_back(std::move(a), std::move(b));
    if (running.size() < workers) continue;
    auto& [ra, rb] = running.front();
    if (i % 7 == 0) {
      joint->tell(ra, TrialState::kFail);
      collected->tell(rb, TrialState::kFail);
    } else if (i % 11 == 0) {
      joint->tell(ra, TrialState::kPruned);
      collected->tell(rb, TrialState::kPruned);
    } else {
      joint->tell(ra, std::round(va));
      collected->tell(rb, std::round(vb));
    }
    running.erase(running.begin());
  }
  }
}

TEST(EstimatorCacheTest, KeyedEntriesShareAnEstimatorPerKeyAndBuildItOnce) {
  std::vector<ParzenDimension> dims(2);
  Eigen::MatrixXd obs(3, 2);
  obs << 0.1, 0.2, 0.5, 0.6, 0.9, 0.3;
  int weight_calls = 0;
  auto weights = [&](int n) {
    ++weight_calls;
    return Eigen::VectorXd::Ones(n).eval();
  };
  ParzenEstimatorOptions options;
  options.multivariate = true;
  EstimatorCache cache;
  const auto first = cache.get(11, dims, obs, weights, options);
  EXPECT_EQ(cache.get(11, dims, obs, weights, options).get(), first.get());
  EXPECT_EQ(weight_calls, 1);
  EXPECT_EQ(cache.hits(), 1);
  EXPECT_EQ(first->n_kernels(), 4);  // three observations and the prior
  EXPECT_NE(cache.get(12, dims, obs, weights, options).get(), first.get());
  ParzenEstimatorOptions univariate = options;
  univariate.multivariate = false;
  EXPECT_NE(cache.get(11, dims, obs, weights, univariate).get(), first.get());
  EXPECT_EQ(weight_calls, 3);
  // Entries used again stay: key 11 outlives three newer keys, the unused 12 does not.
  EXPECT_EQ(cache.get(11, dims, obs, weights, options).get(), first.get());
  for (uint64_t key : {13, 14, 15}) cache.get(key, dims, obs, weights, options);
  EXPECT_EQ(cache.get(11, dims, obs, weights, options).get(), first.get());
  EXPECT_EQ(weight_calls, 6);
  cache.get(12, dims, obs, weights, options);
  EXPECT_EQ(weight_calls, 7);
}

}  // namespace
}  // namespace hpo::tpe
