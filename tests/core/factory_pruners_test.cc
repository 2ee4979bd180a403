#include "core/factory_pruners.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/factory.h"
#include "pruners/hyperband_pruner.h"
#include "pruners/median_pruner.h"
#include "pruners/nop_pruner.h"
#include "pruners/patient_pruner.h"
#include "pruners/percentile_pruner.h"
#include "pruners/successive_halving_pruner.h"
#include "pruners/threshold_pruner.h"

namespace hpo {
namespace {

using nlohmann::json;

std::string error_of(std::string_view name, const json& options) {
  try {
    make_pruner(name, options);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no exception";
}

TEST(FactoryPrunersTest, EveryPrunerHasAName) {
  std::vector<std::string> names = pruner_names();
  for (const char* name :
       {"nop", "median", "percentile", "successive_halving", "hyperband", "threshold", "patient"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
}

TEST(FactoryPrunersTest, DefaultIsTheMedianPrunerAsInOptuna) {
  EXPECT_NE(dynamic_cast<MedianPruner*>(make_default_pruner().get()), nullptr);
}

TEST(FactoryPrunersTest, PercentileFamilyReadsEveryOption) {
  auto median = std::dynamic_pointer_cast<MedianPruner>(make_pruner(
      "median",
      {{"n_startup_trials", 3}, {"n_warmup_steps", 4}, {"interval_steps", 5}, {"n_min_trials", 6}}));
  ASSERT_TRUE(median);
  EXPECT_EQ(median->percentile(), 50.0);
  EXPECT_EQ(median->options().n_startup_trials, 3);
  EXPECT_EQ(median->options().n_warmup_steps, 4);
  EXPECT_EQ(median->options().interval_steps, 5);
  EXPECT_EQ(median->options().n_min_trials, 6);
  auto p = std::dynamic_pointer_cast<PercentilePruner>(make_pruner("percentile", {{"percentile", 25}}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->percentile(), 25.0);
  EXPECT_EQ(p->options().n_startup_trials, 5);
  EXPECT_NE(error_of("percentile", json::object()).find("'percentile' is required"),
            std::string::npos);
  EXPECT_NE(error_of("median", {{"interval_steps", 0}}).find("got 0"), std::string::npos);
  EXPECT_NE(error_of("median", {{"n_warmup_step", 1}}).find("n_warmup_steps"), std::string::npos);
}

TEST(FactoryPrunersTest, SuccessiveHalvingAndHyperbandTakeAutoOrIntegers) {
  auto sh = std::dynamic_pointer_cast<SuccessiveHalvingPruner>(make_pruner(
      "successive_halving", {{"min_resource", 3},
                             {"reduction_factor", 2},
                             {"min_early_stopping_rate", 1},
                             {"bootstrap_count", 4}}));
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->options().min_resource, 3);
  EXPECT_EQ(sh->options().reduction_factor, 2);
  EXPECT_EQ(sh->options().min_early_stopping_rate, 1);
  EXPECT_EQ(sh->options().bootstrap_count, 4);
  auto auto_sh = std::dynamic_pointer_cast<SuccessiveHalvingPruner>(
      make_pruner("successive_halving", {{"min_resource", "auto"}}));
  ASSERT_TRUE(auto_sh);
  EXPECT_EQ(auto_sh->options().min_resource, std::nullopt);
  EXPECT_EQ(auto_sh->options().reduction_factor, 4);
  EXPECT_NE(error_of("successive_halving", {{"min_resource", "often"}}).find("\"often\""),
            std::string::npos);

  auto hb = std::dynamic_pointer_cast<HyperbandPruner>(make_pruner(
      "hyperband",
      {{"min_resource", 2}, {"max_resource", 90}, {"reduction_factor", 4}, {"bootstrap_count", 1}}));
  ASSERT_TRUE(hb);
  EXPECT_EQ(hb->options().min_resource, 2);
  EXPECT_EQ(hb->options().max_resource, 90);
  EXPECT_EQ(hb->options().reduction_factor, 4);
  EXPECT_EQ(hb->options().bootstrap_count, 1);
  auto auto_hb = std::dynamic_pointer_cast<HyperbandPruner>(make_pruner("hyperband"));
  ASSERT_TRUE(auto_hb);
  EXPECT_EQ(auto_hb->options().max_resource, std::nullopt);
  EXPECT_EQ(auto_hb->options().reduction_factor, 3);
  EXPECT_NE(error_of("hyperband", {{"bootstrap_count", 1}}).find("auto"), std::string::npos);
}

TEST(FactoryPrunersTest, Threshold) {
  auto t = std::dynamic_pointer_cast<ThresholdPruner>(make_pruner(
      "threshold", {{"lower", -1.5}, {"upper", 2}, {"n_warmup_steps", 3}, {"interval_steps", 4}}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->options().lower, -1.5);
  EXPECT_EQ(t->options().upper, 2.0);
  EXPECT_EQ(t->options().n_warmup_steps, 3);
  EXPECT_EQ(t->options().interval_steps, 4);
  EXPECT_NE(error_of("threshold", json::object()).find("'lower' or 'upper'"), std::string::npos);
  EXPECT_NE(error_of("threshold", {{"upper", "high"}}).find("a number"), std::string::npos);
}

TEST(FactoryPrunersTest, PatientWrapsANestedSpec) {
  auto p = std::dynamic_pointer_cast<PatientPruner>(make_pruner(
      "patient", {{"patience", 2},
                  {"min_delta", 0.5},
                  {"wrapped_pruner", {{"name", "percentile"}, {"options", {{"percentile", 10}}}}}}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->options().patience, 2);
  EXPECT_EQ(p->options().min_delta, 0.5);
  auto inner = std::dynamic_pointer_cast<PercentilePruner>(p->wrapped_pruner());
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->percentile(), 10.0);

  auto by_name = std::dynamic_pointer_cast<PatientPruner>(
      make_pruner("patient", {{"patience", 1}, {"wrapped_pruner", "median"}}));
  ASSERT_TRUE(by_name);
  EXPECT_TRUE(std::dynamic_pointer_cast<MedianPruner>(by_name->wrapped_pruner()));
  auto alone = std::dynamic_pointer_cast<PatientPruner>(
      make_pruner("patient", {{"patience", 1}, {"wrapped_pruner", nullptr}}));
  ASSERT_TRUE(alone);
  EXPECT_FALSE(alone->wrapped_pruner());

  EXPECT_NE(error_of("patient", json::object()).find("'patience' is required"), std::string::npos);
  EXPECT_NE(error_of("patient", {{"patience", -1}}).find("-1"), std::string::npos);
  EXPECT_NE(error_of("patient", {{"patience", 1}, {"wrapped_pruner", {{"name", "medain"}}}})
                .find("did you mean 'median'"),
            std::string::npos);
  EXPECT_NE(error_of("patient", {{"patience", 1}, {"wrapped_pruner", {{"name", "median"}, {"opts", {}}}}})
                .find("'opts'"),
            std::string::npos);
  EXPECT_NE(error_of("patient", {{"patience", 1}, {"wrapped_pruner", 3}}).find("got 3"),
            std::string::npos);
}

}  // namespace
}  // namespace hpo
