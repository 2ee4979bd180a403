#include "samplers/tpe/tpe_sampler.h"

#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/distribution.h"
#include "core/factory.h"
#include "core/study.h"

namespace hpo {
namespace {

std::shared_ptr<Study> make_study(TpeSamplerOptions options,
                                  std::vector<StudyDirection> directions = {
                                      StudyDirection::kMinimize}) {
  CreateStudyOptions create;
  create.sampler = std::make_shared<TpeSampler>(std::move(options));
  create.directions = std::move(directions);
  return Study::create(std::move(create));
}

TpeSamplerOptions seeded(uint64_t seed, bool multivariate) {
  TpeSamplerOptions o;
  o.seed = seed;
  o.multivariate = multivariate;
  o.constant_liar = multivariate;
  return o;
}

double mixed_objective(Trial& t) {
  double v = t.suggest_float("f", -3.0, 3.0);
  v += t.suggest_float("fs", 0.0, 1.0, {.step = 0.25, .log = false});
  v += std::log(t.suggest_float("fl", 1e-4, 1.0, {.step = std::nullopt, .log = true}));
  v += static_cast<double>(t.suggest_int("i", -4, 4));
  v += static_cast<double>(t.suggest_int("is", 1, 11, {.step = 5, .log = false}));
  v += std::log(static_cast<double>(t.suggest_int("il", 1, 1000, {.step = 1, .log = true})));
  v += t.suggest_categorical<std::string>("c", {"a", "b", "c"}) == "b" ? -1.0 : 0.0;
  return v * v;
}

class TpeModes : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Multivariate, TpeModes, ::testing::Bool());

TEST_P(TpeModes, ValuesAreInsideBoundsOnTheGridAndIntsAreInts) {
  auto study = make_study(seeded(1, GetParam()));
  OptimizeOptions run;
  run.n_trials = 60;
  study->optimize(mixed_objective, run);
  const Trials trials = study->trials();
  ASSERT_EQ(trials.size(), 60u);
  for (const TrialPtr& t : trials) {
    ASSERT_EQ(t->state, TrialState::kComplete);
    ASSERT_EQ(t->params.size(), 7u);
    for (const auto& [name, internal] : t->params) {
      EXPECT_TRUE(contains(t->distributions.at(name), internal)) << name << "=" << internal;
    }
    const ExternalParams p = t->external_params();
    EXPECT_TRUE(std::holds_alternative<int64_t>(p.at("i")));
    EXPECT_TRUE(std::holds_alternative<int64_t>(p.at("il")));
    const int64_t is = std::get<int64_t>(p.at("is"));
    EXPECT_TRUE(is == 1 || is == 6 || is == 11) << is;
    const double fs = std::get<double>(p.at("fs"));
    EXPECT_DOUBLE_EQ(fs * 4, std::round(fs * 4));
  }
}

TEST_P(TpeModes, LogParamsAreSampledInLogSpace) {
  // A flat objective: TPE's proposals then follow its prior, uniform in log space. Uniform in
  // the linear range would put 1% of draws below 1e-2; log-uniform puts 60% there.
  auto study = make_study(seeded(2, GetParam()));
  OptimizeOptions run;
  run.n_trials = 100;
  study->optimize(
      [](Trial& t) {
        t.suggest_float("lr", 1e-5, 1.0, {.step = std::nullopt, .log = true});
        return 1.0;
      },
      run);
  int small = 0;
  for (const TrialPtr& t : study->trials()) small += t->params.at("lr") < 1e-2 ? 1 : 0;
  EXPECT_GT(small, 35);
}

TEST_P(TpeModes, SameSeedGivesTheSameSequence) {
  auto a = make_study(seeded(42, GetParam()));
  auto b = make_study(seeded(42, GetParam()));
  auto c = make_study(seeded(43, GetParam()));
  OptimizeOptions run;
  run.n_trials = 30;
  a->optimize(mixed_objective, run);
  b->optimize(mixed_objective, run);
  c->optimize(mixed_objective, run);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(a->trials()[i]->params, b->trials()[i]->params) << i;
  }
  EXPECT_NE(a->trials()[20]->params, c->trials()[20]->params);
}

TEST_P(TpeModes, ProposalsConcentrateNearTheOptimumOfAQuadratic) {
  // Random search puts 10% of draws (5 of 50) within 1 of the optimum. Optuna's TPE (with the
  // normalized kernels of Optuna >= 3.5) puts 21-26 of 50 there over seeds 0-4; so does hpo.
  auto study = make_study(seeded(3, GetParam()));
  OptimizeOptions run;
  run.n_trials = 100;
  study->optimize(
      [](Trial& t) {
        const double x = t.suggest_float("x", -10.0, 10.0);
        return (x - 2.0) * (x - 2.0);
      },
      run);
  const Trials trials = study->trials();
  int near = 0;
  for (size_t i = 50; i < trials.size(); ++i) {
    near += std::abs(trials[i]->params.at("x") - 2.0) < 1.0 ? 1 : 0;
  }
  EXPECT_GE(near, 18) << "of 50 proposals after trial 50";
  EXPECT_LT(study->best_value(), 0.01);
}

TEST_P(TpeModes, ABestCategoricalChoiceIsChosenFarAboveChance) {
  auto study = make_study(seeded(4, GetParam()));
  OptimizeOptions run;
  run.n_trials = 100;
  const std::vector<std::string> choices = {"c0", "c1", "c2", "c3", "c4",
                                            "c5", "c6", "c7", "c8", "c9"};
  study->optimize(
      [&](Trial& t) {
        const std::string c = t.suggest_categorical<std::string>("c", choices);
        const double x = t.suggest_float("x", 0.0, 1.0);
        return (c == "c3" ? 0.0 : 1.0) + 0.1 * x;
      },
      run);
  int best = 0;
  const Trials trials = study->trials();
  for (size_t i = 30; i < trials.size(); ++i) best += trials[i]->params.at("c") == 3.0 ? 1 : 0;
  EXPECT_GE(best, 35) << "of 70 trials; chance is 7";
}

TEST(TpeSamplerTest, ConstantLiarWithTwoWorkersGivesNoIdenticalRunningParams) {
  auto study = make_study(seeded(5, true));
  std::mutex mutex;
  std::set<std::vector<double>> running;
  int duplicates = 0;
  OptimizeOptions run;
  run.n_trials = 80;
  run.n_jobs = 2;
  study->optimize(
      [&](Trial& t) {
        const double x = t.suggest_float("x", 0.0, 1.0);
        const double y = t.suggest_float("y", 0.0, 1.0);
        {
          std::lock_guard<std::mutex> lock(mutex);
          duplicates += running.insert({x, y}).second ? 0 : 1;
        }
        const double v = (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6);
        std::lock_guard<std::mutex> lock(mutex);
        running.erase({x, y});
        return v;
      },
      run);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(study->trials({TrialState::kComplete}).size(), 80u);
}

TEST(TpeSamplerTest, TwoWorkersShareTheKeptAboveEstimatorOfALargeStudy) {
  // Past 256 above trials the multivariate sampler keeps its above estimator across asks (and
  // changes a copy while another worker scores with it): every proposal lies in its space.
  for (bool liar : {false, true}) {
    TpeSamplerOptions options = seeded(11, true);
    options.constant_liar = liar;
    options.n_startup_trials = 300;
    auto study = make_study(options);
    OptimizeOptions run;
    run.n_trials = 300;
    study->optimize(mixed_objective, run);
    run.n_trials = 40;
    run.n_jobs = 2;
    study->optimize(mixed_objective, run);
    const Trials complete = study->trials({TrialState::kComplete});
    ASSERT_EQ(complete.size(), 340u) << liar;
    for (const TrialPtr& t : complete) {
      ASSERT_EQ(t->params.size(), 7u);
      EXPECT_GE(t->params.at("f"), -3.0);
      EXPECT_LE(t->params.at("f"), 3.0);
      EXPECT_EQ(std::fmod(t->params.at("fs"), 0.25), 0.0);
      EXPECT_EQ(std::fmod(t->params.at("is") - 1.0, 5.0), 0.0);
    }
  }
}

TEST(TpeSamplerTest, ConstantLiarCountsRunningTrialsAsTheWorst) {
  // The same 20 finished trials, then trials 20..27, then the proposal for trial 28. First
  // 20..27 fail without params: that proposal is p0. Then 20..27 stay running at x = p0: with
  // the liar they join the "above" estimator right at p0, so trial 28 goes elsewhere; without
  // the liar running trials are invisible and trial 28 gets p0 again.
  auto proposal = [](bool liar, std::optional<double> running_at) {
    TpeSamplerOptions o = seeded(6, true);
    o.constant_liar = liar;
    auto study = make_study(o);
    OptimizeOptions run;
    run.n_trials = 20;
    study->optimize([](Trial& t) { return std::abs(t.suggest_float("x", 0.0, 1.0) - 0.5); }, run);
    std::vector<Trial> pending;
    for (int i = 0; i < 8; ++i) {
      if (running_at) study->enqueue_trial({{"x", *running_at}});
      pending.push_back(study->ask());
      if (running_at) {
        EXPECT_EQ(pending.back().suggest_float("x", 0.0, 1.0), *running_at);
      } else {
        study->tell(pending.back(), TrialState::kFail);
      }
    }
    Trial next = study->ask();
    EXPECT_EQ(next.number(), 28);
    return next.suggest_float("x", 0.0, 1.0);
  };
  const double p0 = proposal(true, std::nullopt);
  EXPECT_NE(proposal(true, p0), p0);
  EXPECT_EQ(proposal(false, std::nullopt), p0);
  EXPECT_EQ(proposal(false, p0), p0);
}

TEST(TpeSamplerTest, AnAskAfterFailedTrialsProposesWhatAFreshSamplerProposes) {
  // Trials 30 and 31 fail: trial 32 sees the same finished trials as trial 30, so the sampler
  // reuses its estimators. A fresh sampler on a copy of the study must propose the same.
  auto study = make_study(seeded(8, true));
  OptimizeOptions run;
  run.n_trials = 30;
  study->optimize(mixed_objective, run);
  for (int i = 0; i < 2; ++i) {
    Trial failing = study->ask();
    mixed_objective(failing);
    study->tell(failing, TrialState::kFail);
  }
  Trial reused = study->ask();
  mixed_objective(reused);
  auto copy = make_study(seeded(8, true));
  for (const TrialPtr& t : study->get_trials()) {
    if (t->number < 32) copy->add_trial(*t);
  }
  Trial fresh = copy->ask();
  ASSERT_EQ(fresh.number(), 32);
  mixed_objective(fresh);
  EXPECT_EQ(reused.snapshot().params, fresh.snapshot().params);
}

TEST(TpeSamplerTest, AGrowingMultivariateStudyProposesWhatAFreshSamplerProposes) {
  // Past 256 "above" trials a growing study's sampler takes kernel masses computed at earlier
  // widths and recomputes exactly only when that could change its choice: every proposal must
  // be the one a fresh sampler (masses at the current widths) makes on a copy of the study.
  TpeSamplerOptions options = seeded(9, true);
  options.n_startup_trials = 400;
  auto study = make_study(options);
  OptimizeOptions run;
  run.n_trials = 400;
  study->optimize(mixed_objective, run);
  for (int i = 0; i < 12; ++i) {
    Trial grown = study->ask();
    const double value = mixed_objective(grown);
    auto copy = make_study(options);
    for (const TrialPtr& t : study->get_trials()) {
      if (t->number < grown.number()) copy->add_trial(*t);
    }
    Trial fresh = copy->ask();
    ASSERT_EQ(fresh.number(), grown.number());
    mixed_objective(fresh);
    EXPECT_EQ(grown.snapshot().params, fresh.snapshot().params) << "trial " << grown.number();
    study->tell(grown, value);
  }
}

double conditional_objective(Trial& t) {
  if (t.suggest_categorical<std::string>("kind", {"a", "b"}) == "a") {
    return t.suggest_float("xa", 0.0, 1.0);
  }
  return 0.5 + t.suggest_float("xb", 0.0, 1.0);
}

TEST(TpeSamplerTest, ConditionalSpacesWorkWithAndWithoutGroup) {
  for (bool group : {false, true}) {
    TpeSamplerOptions o = seeded(7, true);
    o.group = group;
    auto study = make_study(o);
    OptimizeOptions run;
    run.n_trials = 80;
    study->optimize(conditional_objective, run);
    const Trials trials = study->trials();
    ASSERT_EQ(study->trials({TrialState::kComplete}).size(), 80u) << group;
    int a_later = 0, xa_small = 0;
    for (size_t i = 0; i < trials.size(); ++i) {
      const FrozenTrial& t = *trials[i];
      const bool is_a = t.params.at("kind") == 0.0;
      EXPECT_EQ(t.params.size(), 2u);
      EXPECT_EQ(t.params.contains("xa"), is_a);
      EXPECT_EQ(t.params.contains("xb"), !is_a);
      if (i >= 30 && is_a) {
        ++a_later;
        xa_small += t.params.at("xa") < 0.2 ? 1 : 0;
      }
    }
    EXPECT_GE(a_later, 25) << group;               // the better branch dominates
    EXPECT_GE(2 * xa_small, a_later) << group;     // and within it, small xa (chance: 20%)
    EXPECT_LT(study->best_value(), 0.05) << group;

    // The relative space: only the always-present "kind" without group; every group with it.
    auto& sampler = dynamic_cast<TpeSampler&>(study->sampler());
    const SearchSpace space = sampler.infer_relative_search_space(*study, *trials.back());
    EXPECT_TRUE(space.contains("kind"));
    EXPECT_EQ(space.contains("xa"), group);
    EXPECT_EQ(space.contains("xb"), group);
  }
}

TEST(TpeSamplerTest, AResumedSeededStudyDoesNotReplayItsParams) {
  CreateStudyOptions create;
  create.sampler = std::make_shared<TpeSampler>(seeded(8, true));
  create.study_name = "resume";
  auto first = Study::create(create);
  OptimizeOptions run;
  run.n_trials = 10;
  first->optimize([](Trial& t) { return t.suggest_float("x", 0.0, 1.0); }, run);
  // A new process: the same storage, a fresh sampler with the same seed.
  auto second = Study::load("resume", first->shared_storage(),
                            std::make_shared<TpeSampler>(seeded(8, true)));
  second->optimize([](Trial& t) { return t.suggest_float("x", 0.0, 1.0); }, run);
  const Trials trials = second->trials();
  ASSERT_EQ(trials.size(), 20u);
  std::set<double> before;
  for (int i = 0; i < 10; ++i) before.insert(trials[i]->params.at("x"));
  for (int i = 10; i < 20; ++i) EXPECT_FALSE(before.contains(trials[i]->params.at("x"))) << i;
}

TEST(TpeSamplerTest, TwoObjectivesAreOptimizedAndThreeAreRefused) {
  auto study = make_study(seeded(9, true), {StudyDirection::kMinimize, StudyDirection::kMinimize});
  OptimizeOptions run;
  run.n_trials = 60;
  study->optimize(
      [](Trial& t) -> std::vector<double> {
        const double x = t.suggest_float("x", 0.0, 1.0);
        const double y = t.suggest_float("y", 0.0, 1.0);
        return {x + y, (1 - x) + y};
      },
      run);
  // The Pareto front is y = 0: TPE proposals should push y down.
  int low_y = 0;
  const Trials trials = study->trials();
  for (size_t i = 30; i < trials.size(); ++i) low_y += trials[i]->params.at("y") < 0.2 ? 1 : 0;
  EXPECT_GE(low_y, 12) << "of 30; chance is 6";

  auto three = make_study(seeded(9, true), {StudyDirection::kMinimize, StudyDirection::kMinimize,
                                            StudyDirection::kMaximize});
  Trial t = three->ask();
  try {
    t.suggest_float("x", 0.0, 1.0);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("two objectives, got 3"), std::string::npos)
        << e.what();
  }
}

TEST(TpeSamplerTest, RejectsBadOptions) {
  TpeSamplerOptions o;
  o.multivariate = false;
  o.group = true;
  EXPECT_THROW(TpeSampler{o}, std::invalid_argument);
  o = {};
  o.n_ei_candidates = 0;
  EXPECT_THROW(TpeSampler{o}, std::invalid_argument);
  o = {};
  o.n_startup_trials = -1;
  EXPECT_THROW(TpeSampler{o}, std::invalid_argument);
  o = {};
  o.prior_weight = 0.0;
  EXPECT_THROW(TpeSampler{o}, std::invalid_argument);
}

TEST(TpeSamplerTest, FactoryBuildsTpeWithOptunaOptionNames) {
  auto sampler = make_sampler("tpe", {{"seed", 3},
                                      {"n_startup_trials", 5},
                                      {"n_ei_candidates", 12},
                                      {"multivariate", false},
                                      {"constant_liar", false},
                                      {"consider_prior", true},
                                      {"prior_weight", 2.0},
                                      {"consider_magic_clip", false},
                                      {"consider_endpoints", true},
                                      {"group", false},
                                      {"normalized_kernels", false}});
  const TpeSamplerOptions& o = dynamic_cast<TpeSampler&>(*sampler).options();
  EXPECT_EQ(o.seed, 3u);
  EXPECT_EQ(o.n_startup_trials, 5);
  EXPECT_EQ(o.n_ei_candidates, 12);
  EXPECT_FALSE(o.multivariate);
  EXPECT_FALSE(o.constant_liar);
  EXPECT_EQ(o.prior_weight, 2.0);
  EXPECT_FALSE(o.consider_magic_clip);
  EXPECT_TRUE(o.consider_endpoints);
  EXPECT_FALSE(o.normalized_kernels);
  // Kept alive: options() refers into the sampler.
  std::shared_ptr<Sampler> defaults = make_sampler("tpe");
  const TpeSamplerOptions& d = dynamic_cast<TpeSampler&>(*defaults).options();
  EXPECT_TRUE(d.multivariate);
  EXPECT_TRUE(d.constant_liar);
  EXPECT_TRUE(d.normalized_kernels);
  EXPECT_EQ(d.n_startup_trials, 10);
  EXPECT_EQ(d.n_ei_candidates, 24);
  try {
    make_sampler("tpe", {{"n_startup_trial", 5}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("n_startup_trials"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_sampler("tpe", {{"group", true}, {"multivariate", false}}),
               std::invalid_argument);
}

TEST(TpeSamplerTest, DefaultGammaAndWeightsFollowOptuna) {
  EXPECT_EQ(tpe_default_gamma(0), 0);
  EXPECT_EQ(tpe_default_gamma(10), 1);
  EXPECT_EQ(tpe_default_gamma(11), 2);
  EXPECT_EQ(tpe_default_gamma(1000), 25);
  EXPECT_EQ(tpe_hyperopt_default_gamma(100), 3);
  EXPECT_EQ(tpe_default_weights(3), std::vector<double>(3, 1.0));
  const std::vector<double> w = tpe_default_weights(30);  // linspace(1/30, 1, 5) + 25 ones
  ASSERT_EQ(w.size(), 30u);
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 30);
  EXPECT_DOUBLE_EQ(w[2], (1.0 / 30 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(w[4], 1.0);
  EXPECT_DOUBLE_EQ(w[29], 1.0);
  EXPECT_DOUBLE_EQ(tpe_default_weights(26)[0], 1.0 / 26);
}

}  // namespace
}  // namespace hpo
