#include "pruners/hyperband_pruner.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/pruners/study_helpers.h"

namespace hpo {
namespace {

using testing::add_finished;
using testing::make_study;
using testing::run_curve;

HyperbandPrunerOptions hb(int64_t min_resource, std::optional<int64_t> max_resource,
                          int reduction_factor, int bootstrap_count = 0) {
  HyperbandPrunerOptions o;
  o.min_resource = min_resource;
  o.max_resource = max_resource;
  o.reduction_factor = reduction_factor;
  o.bootstrap_count = bootstrap_count;
  return o;
}

TEST(HyperbandPrunerTest, Crc32MatchesZlib) {
  EXPECT_EQ(crc32("hello"), 907060870u);  // binascii.crc32(b"hello")
  EXPECT_EQ(crc32("study_0"), 368277276u);
  EXPECT_EQ(crc32(""), 0u);
}

TEST(HyperbandPrunerTest, RejectsBadOptionsNamingTheValue) {
  auto message = [](HyperbandPrunerOptions o) {
    try {
      HyperbandPruner p(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_NE(message(hb(0, 10, 3)).find("got 0"), std::string::npos);
  EXPECT_NE(message(hb(5, 4, 3)).find("got 4"), std::string::npos);
  EXPECT_NE(message(hb(1, 10, 1)).find("got 1"), std::string::npos);
  EXPECT_NE(message(hb(1, 10, 3, -1)).find("got -1"), std::string::npos);
  EXPECT_NE(message(hb(1, std::nullopt, 3, 1)).find("auto"), std::string::npos);
  EXPECT_EQ(message(hb(1, std::nullopt, 3)), "no exception");
}

TEST(HyperbandPrunerTest, BracketsAsOptuna) {
  auto pruner = std::make_shared<HyperbandPruner>(hb(1, 81, 3));
  auto study = make_study(pruner, StudyDirection::kMinimize, "hb");
  // Before the first decision there are no brackets: every trial is in bracket 0.
  EXPECT_EQ(pruner->n_brackets(), std::nullopt);
  EXPECT_EQ(pruner->bracket_id("hb", 1), 0);
  Trial t = study->ask();
  t.report(1.0, 0);
  EXPECT_FALSE(t.should_prune());
  EXPECT_EQ(pruner->n_brackets(), 5);
  // Printed by Optuna 3.1's HyperbandPruner._get_bracket_id for study "hb".
  const std::vector<int> expected = {0, 1, 0, 3, 0, 0, 0, 1, 1, 1, 1, 0};
  for (int64_t n = 0; n < static_cast<int64_t>(expected.size()); ++n)
    EXPECT_EQ(pruner->bracket_id("hb", n), expected[n]) << "trial " << n;
}

TEST(HyperbandPrunerTest, BracketCountFollowsTheResourceRatio) {
  struct Case {
    int64_t min, max;
    int eta, n;
  };
  for (Case c : {Case{1, 1, 3, 1}, Case{1, 3, 3, 2}, Case{1, 27, 3, 4}, Case{2, 100, 4, 3},
                 Case{1, 100, 2, 7}}) {
    auto pruner = std::make_shared<HyperbandPruner>(hb(c.min, c.max, c.eta));
    auto study = make_study(pruner);
    Trial t = study->ask();
    t.report(1.0, 0);
    t.should_prune();
    EXPECT_EQ(pruner->n_brackets(), c.n) << c.min << " " << c.max << " " << c.eta;
  }
}

TEST(HyperbandPrunerTest, AutoMaxResourceWaitsForACompleteTrial) {
  auto pruner = std::make_shared<HyperbandPruner>(hb(1, std::nullopt, 3));
  auto study = make_study(pruner);
  Trial early = study->ask();
  EXPECT_EQ(run_curve(early, {{0, 1.0}, {1, 1.0}, {5, 1.0}}), std::nullopt);
  EXPECT_EQ(pruner->n_brackets(), std::nullopt);
  add_finished(*study, {{0, 1.0}, {26, 1.0}}, 1.0);  // max_resource 27: 4 brackets
  Trial t = study->ask();
  t.report(1.0, 0);
  t.should_prune();
  EXPECT_EQ(pruner->n_brackets(), 4);
}

TEST(HyperbandPrunerTest, EachBracketRunsItsOwnSuccessiveHalving) {
  auto pruner = std::make_shared<HyperbandPruner>(hb(1, 81, 3));
  auto study = make_study(pruner, StudyDirection::kMinimize, "hb");
  // Bracket b's first rung is at step 3^b; trials 0, 1 and 3 are in brackets 0, 1 and 3.
  for (int64_t number : {0, 1, 2, 3}) {
    Trial t = study->ask();
    ASSERT_EQ(t.number(), number);
    for (int64_t step = 0; step < 27; ++step) {
      t.report(1.0, step);
      ASSERT_FALSE(t.should_prune());
      const int bracket = pruner->bracket_id("hb", number);
      int64_t first_rung = 1;
      for (int i = 0; i < bracket; ++i) first_rung *= 3;
      EXPECT_EQ(study->trials()[number]->system_attrs.contains("completed_rung_0"),
                step >= first_rung)
          << "trial " << number << " step " << step;
    }
    study->tell(t, 1.0);
  }
  // Trial 4 (bracket 0) meets trials 0 and 2 at rung 0 (step 1), and is worse than both.
  Trial four = study->ask();
  ASSERT_EQ(pruner->bracket_id("hb", 4), 0);
  EXPECT_EQ(run_curve(four, {{0, 2.0}, {1, 2.0}}), 1);
}

TEST(HyperbandPrunerTest, SamplerFilterKeepsTheSameBracket) {
  auto pruner = std::make_shared<HyperbandPruner>(hb(1, 81, 3));
  auto study = make_study(pruner, StudyDirection::kMinimize, "hb");
  FrozenTrial one;
  one.number = 1;
  // No brackets yet: the filter keeps everything, and follows the brackets once they exist.
  TrialFilter filter = pruner->sampler_trial_filter(*study, one);
  ASSERT_TRUE(filter);
  FrozenTrial other;
  other.number = 0;
  EXPECT_TRUE(filter(other));
  Trial t = study->ask();
  t.report(1.0, 0);
  t.should_prune();
  EXPECT_FALSE(filter(other));  // bracket 0
  other.number = 7;
  EXPECT_TRUE(filter(other));  // bracket 1
}

}  // namespace
}  // namespace hpo
