#include "core/search_space.h"

#include <gtest/gtest.h>

namespace hpo {
namespace {

TrialPtr trial_with(Distributions d) {
  auto t = std::make_shared<FrozenTrial>();
  t->distributions = std::move(d);
  return t;
}

TEST(SearchSpaceTest, IntersectionKeepsSharedIdenticalMultiValuedParams) {
  Trials trials = {
      trial_with({{"x", make_float_distribution(0, 1)},
                  {"k", make_int_distribution(1, 5)},
                  {"c", make_categorical_distribution({std::string("a"), std::string("b")})},
                  {"one", make_int_distribution(3, 3)}}),
      trial_with({{"x", make_float_distribution(0, 1)},
                  {"k", make_int_distribution(1, 6)},
                  {"c", make_categorical_distribution({std::string("a"), std::string("b")})},
                  {"one", make_int_distribution(3, 3)}}),
  };
  SearchSpace space = intersection_search_space(trials);
  EXPECT_EQ(space.size(), 2u);
  EXPECT_TRUE(space.contains("x"));
  EXPECT_TRUE(space.contains("c"));
  EXPECT_TRUE(intersection_search_space({}).empty());
}

}  // namespace
}  // namespace hpo
