// RandomSampler: bounds, steps, log scale, and seeded repeatability.
#include "samplers/random_sampler.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/factory.h"
#include "core/study.h"

namespace hpo {
namespace {

struct Draw {
  double x, lr, s;
  int64_t k, lk;
  std::string c;
  bool operator==(const Draw&) const = default;
};

std::vector<Draw> run(uint64_t seed, int n, int n_jobs = 1) {
  CreateStudyOptions o;
  o.sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{seed});
  auto study = Study::create(o);
  study->optimize(
      [](Trial& t) {
        t.suggest_float("x", -3.0, 2.0);
        t.suggest_float("lr", 1e-5, 1e-1, {.log = true});
        t.suggest_float("s", 0.0, 1.0, {.step = 0.1});
        t.suggest_int("k", -4, 11, {.step = 3});
        t.suggest_int("lk", 1, 1024, {.log = true});
        t.suggest_categorical<std::string>("c", {"a", "b", "c"});
        return 0.0;
      },
      {.n_trials = n, .n_jobs = n_jobs});
  std::vector<Draw> draws;
  for (const TrialPtr& t : study->trials()) {
    auto p = t->external_params();
    draws.push_back({std::get<double>(p["x"]), std::get<double>(p["lr"]), std::get<double>(p["s"]),
                     std::get<int64_t>(p["k"]), std::get<int64_t>(p["lk"]),
                     std::get<std::string>(p["c"])});
  }
  return draws;
}

TEST(RandomSamplerTest, ValuesLieInBoundsOnTheGrid) {
  for (const Draw& d : run(1, 300)) {
    EXPECT_GE(d.x, -3.0);
    EXPECT_LE(d.x, 2.0);
    EXPECT_GE(d.lr, 1e-5);
    EXPECT_LE(d.lr, 1e-1);
    EXPECT_NEAR(std::round(d.s * 10) / 10, d.s, 1e-12);
    EXPECT_GE(d.k, -4);
    EXPECT_LE(d.k, 11);
    EXPECT_EQ((d.k + 4) % 3, 0);
    EXPECT_GE(d.lk, 1);
    EXPECT_LE(d.lk, 1024);
  }
}

TEST(RandomSamplerTest, LogParamsAreUniformInLogSpace) {
  // Under log-uniform sampling over [1e-5, 1e-1], half the mass lies below 1e-3; under uniform
  // sampling almost none would.
  int below = 0;
  auto draws = run(2, 400);
  for (const Draw& d : draws) below += d.lr < 1e-3;
  EXPECT_GT(below, 150);
  EXPECT_LT(below, 250);
  int small_ints = 0;
  for (const Draw& d : draws) small_ints += d.lk <= 32;
  EXPECT_GT(small_ints, 150);  // log-uniform over 1..1024: about half are <= 32
}

TEST(RandomSamplerTest, EveryChoiceAndGridPointAppears) {
  std::set<std::string> choices;
  std::set<int64_t> ks;
  for (const Draw& d : run(3, 200)) {
    choices.insert(d.c);
    ks.insert(d.k);
  }
  EXPECT_EQ(choices.size(), 3u);
  EXPECT_EQ(ks, (std::set<int64_t>{-4, -1, 2, 5, 8, 11}));
}

TEST(RandomSamplerTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  EXPECT_EQ(run(42, 50), run(42, 50));
  EXPECT_NE(run(42, 50), run(43, 50));
  // Values depend on the trial number, not on which thread drew them.
  EXPECT_EQ(run(42, 50), run(42, 50, 3));
}

TEST(RandomSamplerTest, ReseedRestartsFromTheNewSeed) {
  RandomSampler a(RandomSamplerOptions{1});
  RandomSampler b(RandomSamplerOptions{2});
  b.reseed(1);
  CreateStudyOptions o;
  auto study = Study::create(o);
  FrozenTrial t;
  t.number = 5;
  Distribution d = make_float_distribution(0, 1);
  EXPECT_EQ(a.sample_independent(*study, t, "x", d), b.sample_independent(*study, t, "x", d));
}

}  // namespace
}  // namespace hpo
