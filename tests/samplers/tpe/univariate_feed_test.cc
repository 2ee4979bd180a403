// Univariate TPE keeps what it read of a study across asks (UnivariateFeed, AboveDensity); with an
// explicit weights function it rebuilds its estimators from all trials on every ask instead. The
// two must propose the same params through a study's whole life.
#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "core/distribution.h"
#include "core/factory.h"
#include "core/study.h"
#include "samplers/tpe/tpe_sampler.h"

namespace hpo {
namespace {

const std::vector<std::string> kChoices = {"a", "b", "c"};

Distributions space() {
  Distributions d;
  d["f"] = make_float_distribution(-3, 3);
  d["fl"] = make_float_distribution(1e-4, 1.0, {}, true);
  d["fs"] = make_float_distribution(0.0, 1.0, 0.05);
  d["i"] = make_int_distribution(-4, 40);
  d["il"] = make_int_distribution(1, 1000, 1, true);
  d["c"] = make_categorical_distribution({kChoices.begin(), kChoices.end()});
  d["only_b"] = make_float_distribution(0, 1);  // suggested only when c is "b"
  return d;
}

double run_objective(Trial& t) {
  double v = std::pow(t.suggest_float("f", -3.0, 3.0) - 1.0, 2);
  const double fl = t.suggest_float("fl", 1e-4, 1.0, {.step = std::nullopt, .log = true});
  v += std::pow(std::log10(fl) + 2, 2);
  v += t.suggest_float("fs", 0.0, 1.0, {.step = 0.05, .log = false});
  v += std::abs(static_cast<double>(t.suggest_int("i", -4, 40)) - 7) / 10.0;
  v += std::log(static_cast<double>(t.suggest_int("il", 1, 1000, {.step = 1, .log = true})));
  if (t.suggest_categorical<std::string>("c", kChoices) == "b") {
    v += t.suggest_float("only_b", 0.0, 1.0) - 1.0;
  }
  return v;
}

// (constant liar, normalized kernels)
class UnivariateFeedTest : public ::testing::TestWithParam<std::tuple<bool, bool>> {};
INSTANTIATE_TEST_SUITE_P(LiarAndKernels, UnivariateFeedTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

TEST_P(UnivariateFeedTest, ProposesWhatAFreshBuildProposes) {
  TpeSamplerOptions kept;
  kept.seed = 3;
  kept.multivariate = false;
  kept.constant_liar = std::get<0>(GetParam());
  kept.normalized_kernels = std::get<1>(GetParam());
  TpeSamplerOptions fresh = kept;
  fresh.weights = tpe_default_weights;  // the same weights, through the rebuild path
  auto kept_sampler = std::make_shared<TpeSampler>(kept);
  auto fresh_sampler = std::make_shared<TpeSampler>(fresh);
  CreateStudyOptions create;
  create.sampler = kept_sampler;
  auto study = Study::create(std::move(create));
  const Distributions dists = space();

  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Trial> running;
  int compared = 0;
  // 480 trials: the above estimator passes 300 kernels (its box sums, the ghosts' prefixes).
  for (int n = 0; n < 480; ++n) {
    Trial trial = study->ask();
    for (const auto& [name, d] : dists) {
      const double a = kept_sampler->sample_independent(*study, trial.snapshot(), name, d);
      const double b = fresh_sampler->sample_independent(*study, trial.snapshot(), name, d);
      ASSERT_EQ(a, b) << "trial " << n << ", param " << name;
      ++compared;
    }
    const double value = run_objective(trial);
    const double r = u(rng);
    if (r < 0.1) {
      // Pruned after a few reports: ranked by its last step and value.
      for (int step = 0; step < 1 + n % 4; ++step) trial.report(value + step, step);
      study->tell(trial, TrialState::kPruned);
    } else if (r < 0.15) {
      study->tell(trial, TrialState::kFail);
    } else if (r < 0.3) {
      running.push_back(std::move(trial));  // finishes later, out of order
    } else {
      study->tell(trial, value);
    }
    if (!running.empty() && u(rng) < 0.2) {
      const size_t i = static_cast<size_t>(u(rng) * running.size());
      if (u(rng) < 0.2) {
        study->tell(running[i], TrialState::kFail);
      } else {
        study->tell(running[i], run_objective(running[i]));
      }
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  EXPECT_EQ(compared, 480 * 7);
}

// The feed keeps what it read per study id and name. SQLite gives a study made again after a
// delete the same id: the feed must notice the other trials and not serve the old ones.
TEST(UnivariateFeedTest, AStudyMadeAgainUnderTheSameIdStartsAfresh) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("hpo_feed_again_" + std::to_string(std::random_device{}()) + ".db");
  auto storage = make_storage("sqlite:///" + path.string());
  TpeSamplerOptions options;
  options.seed = 4;
  options.multivariate = false;
  options.constant_liar = false;
  options.n_startup_trials = 5;
  auto reused = std::make_shared<TpeSampler>(options);
  CreateStudyOptions create;
  create.storage = storage;
  create.sampler = reused;
  create.study_name = "again";
  auto first = Study::create(create);
  const Distribution x = make_float_distribution(0, 1);
  OptimizeOptions run;
  run.n_trials = 30;
  first->optimize([](Trial& t) { return t.suggest_float("x", 0.0, 1.0); }, run);
  const int64_t id = first->study_id();
  storage->delete_study(id);
  auto second = Study::create(create);
  ASSERT_EQ(second->study_id(), id);  // the case under test

  auto fresh = std::make_shared<TpeSampler>(options);
  for (int n = 0; n < 12; ++n) {
    Trial trial = second->ask();
    const double a = reused->sample_independent(*second, trial.snapshot(), "x", x);
    const double b = fresh->sample_independent(*second, trial.snapshot(), "x", x);
    ASSERT_EQ(a, b) << "trial " << n;
    second->tell(trial, -trial.suggest_float("x", 0.0, 1.0));
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace hpo
