// Every pruner through Study::optimize with several workers: should_prune() consults the
// study's pruner, a TrialPruned ends the trial PRUNED with its last reported value, and the
// pruners' shared caches hold up under concurrent calls.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "core/errors.h"
#include "core/factory.h"
#include "core/study.h"

namespace hpo {
namespace {

struct Case {
  std::string name;
  nlohmann::json options;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name << " " << c.options.dump(); }

class PrunersInOptimizeTest : public ::testing::TestWithParam<Case> {};

TEST_P(PrunersInOptimizeTest, PrunedTrialsKeepTheirLastValue) {
  CreateStudyOptions o;
  o.pruner = make_pruner(GetParam().name, GetParam().options);
  o.sampler = make_sampler("random", {{"seed", 7}});
  auto study = Study::create(o);
  OptimizeOptions run;
  run.n_trials = 120;
  run.n_jobs = 4;
  study->optimize(
      [](Trial& trial) {
        const double x = trial.suggest_float("x", 0.0, 1.0);
        double v = 0.0;
        for (int64_t step = 0; step < 30; ++step) {
          // Curves fall, and for x > 0.5 rise again after step 7 (so patience runs out).
          v = x + 1.0 / static_cast<double>(step + 1) +
              (x > 0.5 ? 0.02 * static_cast<double>(step) : 0.0);
          trial.report(v, step);
          if (trial.should_prune()) throw TrialPruned();
        }
        return v;
      },
      run);
  const Trials all = study->trials();
  ASSERT_EQ(all.size(), 120u);
  int pruned = 0;
  int complete = 0;
  for (const TrialPtr& t : all) {
    if (t->state == TrialState::kPruned) {
      ++pruned;
      ASSERT_FALSE(t->intermediate_values.empty());
      ASSERT_EQ(t->values.size(), 1u);
      EXPECT_EQ(t->values[0], t->intermediate_values.rbegin()->second);
    } else {
      ASSERT_EQ(t->state, TrialState::kComplete) << t->number;
      ++complete;
      EXPECT_EQ(t->intermediate_values.size(), 30u);
    }
  }
  EXPECT_GT(pruned, 0);
  EXPECT_GT(complete, 0);
}

INSTANTIATE_TEST_SUITE_P(
    AllPruners, PrunersInOptimizeTest,
    ::testing::Values(Case{"median", nlohmann::json::object()},
                      Case{"percentile", {{"percentile", 25.0}}},
                      Case{"successive_halving", {{"min_resource", 1}}},
                      Case{"hyperband", {{"max_resource", 30}}},
                      Case{"threshold", {{"upper", 1.2}}},
                      Case{"patient", {{"patience", 0}, {"wrapped_pruner", "median"}}}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace hpo
