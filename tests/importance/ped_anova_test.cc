#include "importance/ped_anova.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <stdexcept>

#include "importance/grid_density.h"

namespace hpo {
namespace {

using ::testing::HasSubstr;

// Trials with random params (internal values) over `space`, their value f(params).
struct RandomStudy {
  Trials trials;
  std::vector<double> values;
};

RandomStudy random_trials(const Distributions& space, size_t n, uint64_t seed,
                          const std::function<double(const InternalParams&)>& f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  RandomStudy out;
  for (size_t i = 0; i < n; ++i) {
    auto t = std::make_shared<FrozenTrial>();
    t->number = static_cast<int64_t>(i);
    t->state = TrialState::kComplete;
    t->distributions = space;
    for (const auto& [name, dist] : space) {
      double v = 0.0;
      if (const auto* fl = std::get_if<FloatDistribution>(&dist)) {
        if (fl->log) {
          v = std::exp(std::log(fl->low) + u(rng) * (std::log(fl->high) - std::log(fl->low)));
        } else {
          v = fl->low + u(rng) * (fl->high - fl->low);
        }
        if (fl->step) v = fl->low + std::round((v - fl->low) / *fl->step) * *fl->step;
      } else if (const auto* in = std::get_if<IntDistribution>(&dist)) {
        const auto low = static_cast<double>(in->low);
        const auto high = static_cast<double>(in->high);
        if (in->log) {  // uniform in log space over [low, high + 1), floored
          v = std::floor(std::exp(std::log(low) + u(rng) * (std::log(high + 1.0) - std::log(low))));
        } else {
          const double n_points = std::floor((high - low) / static_cast<double>(in->step)) + 1.0;
          v = low + std::floor(u(rng) * n_points) * static_cast<double>(in->step);
        }
        v = std::clamp(v, low, high);
      } else {
        const auto& cat = std::get<CategoricalDistribution>(dist);
        v = std::floor(u(rng) * static_cast<double>(cat.choices.size()));
      }
      t->params[name] = v;
    }
    out.values.push_back(f(t->params));
    t->values = {out.values.back()};
    out.trials.push_back(t);
  }
  return out;
}

Distributions six_params() {
  return {
      {"x", make_float_distribution(-5, 5)},
      {"lr", make_float_distribution(1e-5, 1e-1, {}, true)},
      {"layers", make_int_distribution(1, 8)},
      {"optimizer", make_categorical_distribution(
                        {std::string("adam"), std::string("sgd"), std::string("rmsprop")})},
      {"batch", make_int_distribution(1, 1024, 1, true)},
      {"dropout", make_float_distribution(0, 0.5, 0.05)},
  };
}

// Strong in x, then lr (in log space), weak in layers; optimizer, batch and dropout are unused.
double six_param_objective(const InternalParams& p) {
  const double lr_term = std::log10(p.at("lr")) + 3.0;
  return (p.at("x") - 1.0) * (p.at("x") - 1.0) + 2.0 * lr_term * lr_term +
         0.6 * std::abs(p.at("layers") - 3.0);
}

double importance_of(const std::vector<ParamImportance>& list, const std::string& name) {
  for (const ParamImportance& p : list) {
    if (p.name == name) return p.importance;
  }
  ADD_FAILURE() << "no importance for " << name;
  return -1.0;
}

std::vector<std::string> names_of(const std::vector<ParamImportance>& list) {
  std::vector<std::string> names;
  for (const ParamImportance& p : list) names.push_back(p.name);
  return names;
}

double sum_of(const std::vector<ParamImportance>& list) {
  double s = 0.0;
  for (const ParamImportance& p : list) s += p.importance;
  return s;
}

TEST(PedAnovaTest, ParamsThatMatterRankFirstInOrderOfEffect) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomStudy s = random_trials(six_params(), 400, seed, six_param_objective);
    auto result = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
    ASSERT_EQ(result.size(), 6u);
    std::vector<std::string> names = names_of(result);
    EXPECT_EQ(names[0], "x");
    EXPECT_EQ(names[1], "lr");
    EXPECT_EQ(names[2], "layers");
    EXPECT_NEAR(sum_of(result), 1.0, 1e-12);
    EXPECT_GT(importance_of(result, "x") + importance_of(result, "lr"), 0.8);
    for (const char* unused : {"optimizer", "batch", "dropout"}) {
      EXPECT_LT(importance_of(result, unused), 0.05) << unused;
      EXPECT_GE(importance_of(result, unused), 0.0) << unused;
    }
    for (size_t i = 1; i < result.size(); ++i) {
      EXPECT_GE(result[i - 1].importance, result[i].importance);
    }
  }
}

TEST(PedAnovaTest, MaximizingTheNegationGivesTheSameImportances) {
  RandomStudy s = random_trials(six_params(), 200, 7, six_param_objective);
  std::vector<double> negated;
  for (double v : s.values) negated.push_back(-v);
  auto minimized = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  auto maximized = ped_anova_importances(s.trials, negated, StudyDirection::kMaximize);
  ASSERT_EQ(minimized.size(), maximized.size());
  for (size_t i = 0; i < minimized.size(); ++i) {
    EXPECT_EQ(minimized[i].name, maximized[i].name);
    EXPECT_DOUBLE_EQ(minimized[i].importance, maximized[i].importance);
  }
  // Maximizing the objective itself asks the opposite question: x still matters most (the
  // worst trials have x far from 1), but the answer differs.
  auto worst = ped_anova_importances(s.trials, s.values, StudyDirection::kMaximize);
  EXPECT_EQ(worst[0].name, "x");
  EXPECT_NE(worst[0].importance, minimized[0].importance);
}

TEST(PedAnovaTest, CategoricalThatMattersRanksFirst) {
  Distributions space = {
      {"optimizer", make_categorical_distribution(
                        {std::string("adam"), std::string("sgd"), std::string("rmsprop")})},
      {"x", make_float_distribution(0, 1)},
      {"k", make_int_distribution(0, 20, 2)},
  };
  RandomStudy s = random_trials(space, 300, 11, [](const InternalParams& p) {
    const double by_choice[] = {0.0, 1.0, 1.2};
    return by_choice[static_cast<int>(p.at("optimizer"))] + 0.1 * p.at("x");
  });
  // The top 30% is (nearly) every "adam" trial, whatever its x; k does not count at all. (With
  // the top 10%, x would matter too: the best adam trials are those with a small x.)
  auto result = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize,
                                      {.target_quantile = 0.3});
  EXPECT_EQ(names_of(result), (std::vector<std::string>{"optimizer", "x", "k"}));
  EXPECT_GT(importance_of(result, "optimizer"), 0.8);
  EXPECT_LT(importance_of(result, "k"), 0.05);
}

TEST(PedAnovaTest, LogIntIsMeasuredInLogSpace) {
  Distributions space = {
      {"batch", make_int_distribution(1, 1024, 1, true)},
      {"y", make_float_distribution(-1, 1)},
  };
  // Only batch near 8 is good: a narrow band in log space, a tiny one in linear space.
  RandomStudy s = random_trials(space, 300, 5, [](const InternalParams& p) {
    return std::abs(std::log2(p.at("batch")) - 3.0);
  });
  auto result = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  EXPECT_EQ(result[0].name, "batch");
  EXPECT_GT(result[0].importance, 0.9);
}

TEST(PedAnovaTest, RegionQuantileMeasuresImportanceWithinTheGoodRegion) {
  Distributions space = {
      {"gate", make_float_distribution(-1, 1)},
      {"fine", make_float_distribution(0, 1)},
  };
  // Over the better 45% (all of them passed the gate), `gate` is what decides; within that
  // region, only `fine` tells its best tenth apart.
  RandomStudy s = random_trials(space, 400, 3, [](const InternalParams& p) {
    return (p.at("gate") > 0.0 ? 10.0 : 0.0) + p.at("fine");
  });
  auto global = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize,
                                      {.target_quantile = 0.45});
  EXPECT_EQ(global[0].name, "gate");
  EXPECT_GT(global[0].importance, 0.8);
  auto local = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize,
                                     {.target_quantile = 0.1, .region_quantile = 0.45});
  EXPECT_EQ(local[0].name, "fine");
  EXPECT_GT(local[0].importance, 0.8);
}

TEST(PedAnovaTest, SingleValuedParamsAreListedWithZeroAndOthersSumToOne) {
  Distributions space = six_params();
  space["fixed"] = make_int_distribution(4, 4);
  RandomStudy s = random_trials(space, 100, 9, six_param_objective);
  auto result = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  ASSERT_EQ(result.size(), 7u);
  EXPECT_EQ(result.back().name, "fixed");
  EXPECT_EQ(result.back().importance, 0.0);
  EXPECT_NEAR(sum_of(result), 1.0, 1e-12);
}

TEST(PedAnovaTest, WithoutNormalizationGivesTheDivergencesInTheSameRatio) {
  RandomStudy s = random_trials(six_params(), 150, 4, six_param_objective);
  auto normalized = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  auto raw = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize,
                                   {.normalize = false});
  const double total = sum_of(raw);
  EXPECT_GT(total, 1.0);  // a divergence of well-separated distributions exceeds 1
  ASSERT_EQ(raw.size(), normalized.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    EXPECT_EQ(raw[i].name, normalized[i].name);
    EXPECT_NEAR(raw[i].importance / total, normalized[i].importance, 1e-12);
  }
}

TEST(PedAnovaTest, ParamsOptionAssessesOnlyTheNamedOnes) {
  RandomStudy s = random_trials(six_params(), 200, 2, six_param_objective);
  auto all = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  auto two = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize,
                                   {.params = {"lr", "dropout"}});
  EXPECT_EQ(names_of(two), (std::vector<std::string>{"lr", "dropout"}));
  EXPECT_NEAR(sum_of(two), 1.0, 1e-12);
  // Each param's divergence does not depend on the others: the ratio is kept.
  EXPECT_NEAR(two[0].importance / two[1].importance,
              importance_of(all, "lr") / importance_of(all, "dropout"), 1e-9);
}

TEST(PedAnovaTest, ConditionalParamsAreLeftOutUnlessNamed) {
  RandomStudy s = random_trials(six_params(), 60, 8, six_param_objective);
  auto copy = std::make_shared<FrozenTrial>(*s.trials[0]);
  copy->params.erase("x");
  copy->distributions.erase("x");
  s.trials[0] = copy;
  auto result = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  EXPECT_EQ(result.size(), 5u);
  for (const ParamImportance& p : result) EXPECT_NE(p.name, "x");
  try {
    ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize, {.params = {"x"}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("param 'x' is missing from trial 0"));
  }
}

TEST(PedAnovaTest, NamedParamWithSeveralDistributionsIsAnError) {
  RandomStudy s = random_trials(six_params(), 20, 8, six_param_objective);
  auto copy = std::make_shared<FrozenTrial>(*s.trials[3]);
  copy->distributions["layers"] = make_int_distribution(1, 9);
  s.trials[3] = copy;
  // Without naming it, `layers` is simply not shared.
  EXPECT_EQ(ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize).size(), 5u);
  try {
    ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize, {.params = {"layers"}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("param 'layers' has different distributions"));
  }
}

TEST(PedAnovaTest, TwoTrialsAreAllTopTrialsSoEveryImportanceIsZeroTiesByName) {
  RandomStudy s = random_trials(six_params(), 2, 1, six_param_objective);
  auto result = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  EXPECT_EQ(names_of(result), (std::vector<std::string>{"batch", "dropout", "layers", "lr",
                                                        "optimizer", "x"}));
  for (const ParamImportance& p : result) EXPECT_EQ(p.importance, 0.0);
}

TEST(PedAnovaTest, NonFiniteTargetsAreLeftOut) {
  RandomStudy s = random_trials(six_params(), 100, 6, six_param_objective);
  auto before = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  Trials trials = s.trials;
  std::vector<double> values = s.values;
  trials.push_back(s.trials[0]);
  values.push_back(std::nan(""));
  trials.push_back(s.trials[1]);
  values.push_back(-INFINITY);
  auto after = ped_anova_importances(trials, values, StudyDirection::kMinimize);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].name, before[i].name);
    EXPECT_DOUBLE_EQ(after[i].importance, before[i].importance);
  }
}

void expect_invalid(const std::function<void()>& call, const std::string& fragment) {
  try {
    call();
    ADD_FAILURE() << "expected std::invalid_argument containing: " << fragment;
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

TEST(PedAnovaTest, BadInputsThrowWithTheProblemInTheMessage) {
  RandomStudy s = random_trials(six_params(), 10, 1, six_param_objective);
  const auto min = StudyDirection::kMinimize;
  expect_invalid([&] { ped_anova_importances(s.trials, {1.0, 2.0}, min); },
                 "10 trials but 2 targets");
  expect_invalid([&] { ped_anova_importances({s.trials[0]}, {1.0}, min); },
                 "at least 2 trials with a finite target, got 1");
  expect_invalid([&] { ped_anova_importances({s.trials[0], s.trials[1]}, {1.0, NAN}, min); },
                 "got 1");
  expect_invalid([&] { ped_anova_importances(Trials{}, std::vector<double>{}, min); }, "got 0");
  expect_invalid(
      [&] { ped_anova_importances(s.trials, s.values, min, {.target_quantile = 0.0}); },
      "target_quantile must be in (0, 1], got 0");
  expect_invalid(
      [&] { ped_anova_importances(s.trials, s.values, min, {.target_quantile = 1.5}); },
      "got 1.5");
  expect_invalid(
      [&] {
        ped_anova_importances(s.trials, s.values, min,
                              {.target_quantile = 0.3, .region_quantile = 0.2});
      },
      "region_quantile must be in [target_quantile, 1] = [0.3, 1], got 0.2");
}

TEST(PedAnovaTest, StudyOverloadUsesCompleteTrialsAndTheChosenObjective) {
  RandomStudy s = random_trials(six_params(), 200, 12, six_param_objective);
  Trials trials;
  for (size_t i = 0; i < s.trials.size(); ++i) {
    auto t = std::make_shared<FrozenTrial>(*s.trials[i]);
    // Second objective: only `dropout` matters.
    t->values = {s.values[i], std::abs(t->params.at("dropout") - 0.25)};
    trials.push_back(t);
  }
  // Unfinished and failed trials have no values and are skipped.
  auto running = std::make_shared<FrozenTrial>(*s.trials[0]);
  running->state = TrialState::kRunning;
  running->values.clear();
  auto pruned = std::make_shared<FrozenTrial>(*s.trials[1]);
  pruned->state = TrialState::kPruned;
  pruned->values = {-1e9};
  trials.push_back(running);
  trials.push_back(pruned);

  auto first = ped_anova_importances(trials, StudyDirection::kMinimize);
  auto direct = ped_anova_importances(s.trials, s.values, StudyDirection::kMinimize);
  ASSERT_EQ(first.size(), direct.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].name, direct[i].name);
    EXPECT_DOUBLE_EQ(first[i].importance, direct[i].importance);
  }
  auto second = ped_anova_importances(trials, StudyDirection::kMinimize, 1);
  EXPECT_EQ(second[0].name, "dropout");
  expect_invalid([&] { ped_anova_importances(trials, StudyDirection::kMinimize, 2); },
                 "has 2 values, so no objective 2");
}

TEST(GridDensityTest, MassFunctionsSumToOneAndFollowTheCounts) {
  std::vector<double> counts(10, 0.0);
  counts[2] = 5.0;
  counts[3] = 3.0;
  std::vector<double> pmf = smoothed_ordinal_pmf(counts, 1.0);
  double total = 0.0;
  for (double p : pmf) total += p;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_GT(pmf[2], pmf[3]);
  EXPECT_GT(pmf[3], pmf[9]);
  EXPECT_GT(pmf[9], 0.0);  // the prior keeps every point possible

  std::vector<double> empty = smoothed_ordinal_pmf(std::vector<double>(4, 0.0), 1.0);
  EXPECT_NEAR(empty[0] + empty[1] + empty[2] + empty[3], 1.0, 1e-12);
  EXPECT_NEAR(empty[1], empty[2], 1e-12);  // symmetric about the centre

  std::vector<double> cat = smoothed_categorical_pmf({0.0, 6.0, 2.0}, 1.0);
  EXPECT_NEAR(cat[0] + cat[1] + cat[2], 1.0, 1e-12);
  EXPECT_GT(cat[1], cat[2]);
  EXPECT_GT(cat[2], cat[0]);
  EXPECT_GT(cat[0], 0.0);
}

TEST(GridDensityTest, PearsonDivergenceIsZeroForEqualMassesAndGrowsWithDifference) {
  const std::vector<double> uniform = {0.25, 0.25, 0.25, 0.25};
  EXPECT_NEAR(pearson_divergence(uniform, uniform), 0.0, 1e-12);
  // sum q (p/q - 1)^2 with p = (0.5, 0.5, 0, 0): 4 * 0.25 * 1 = 1.
  EXPECT_NEAR(pearson_divergence({0.5, 0.5, 0.0, 0.0}, uniform), 1.0, 1e-9);
  EXPECT_NEAR(pearson_divergence({1.0, 0.0, 0.0, 0.0}, uniform), 3.0, 1e-9);
}

}  // namespace
}  // namespace hpo
