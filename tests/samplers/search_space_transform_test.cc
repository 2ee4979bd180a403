#include "samplers/search_space_transform.h"

#include <cmath>

#include <gtest/gtest.h>

namespace hpo {
namespace {

SearchSpace mixed_space() {
  SearchSpace s;
  s["a_float"] = make_float_distribution(-2.0, 3.0);
  s["b_log"] = make_float_distribution(1e-4, 1.0, std::nullopt, true);
  s["c_step"] = make_float_distribution(0.0, 1.0, 0.25);
  s["d_int"] = make_int_distribution(1, 10, 3);  // 1, 4, 7, 10
  s["e_int_log"] = make_int_distribution(1, 1000, 1, true);
  s["f_cat"] = make_categorical_distribution({std::string("x"), std::string("y"), int64_t{3}});
  return s;
}

TEST(SearchSpaceTransformTest, LayoutFollowsNames) {
  const SearchSpaceTransform t(mixed_space());
  ASSERT_EQ(t.n_dims(), 6u);
  EXPECT_EQ(t.names()[0], "a_float");
  EXPECT_EQ(t.names()[5], "f_cat");
  EXPECT_TRUE(t.is_categorical(5));
  EXPECT_EQ(t.n_choices(5), 3);
  EXPECT_FALSE(t.is_categorical(0));
  EXPECT_TRUE(t.is_discrete(2));
  EXPECT_TRUE(t.is_discrete(3));
  EXPECT_FALSE(t.is_discrete(1));
}

TEST(SearchSpaceTransformTest, RoundTripsEveryValue) {
  const SearchSpace space = mixed_space();
  const SearchSpaceTransform t(space);
  InternalParams p = {{"a_float", 0.5}, {"b_log", 1e-2}, {"c_step", 0.75},
                      {"d_int", 7.0},   {"e_int_log", 31.0}, {"f_cat", 2.0}};
  const std::vector<double> c = t.to_coordinates(p);
  EXPECT_DOUBLE_EQ(c[0], 0.5);
  EXPECT_NEAR(c[1], 0.5, 1e-12);  // log space: 1e-2 is halfway between 1e-4 and 1
  EXPECT_EQ(c[5], 2.0);           // index, unchanged
  const InternalParams back = t.from_coordinates(c);
  for (const auto& [name, v] : p) EXPECT_NEAR(back.at(name), v, 1e-12) << name;
  EXPECT_THROW(t.to_coordinates({{"a_float", 0.5}}), std::out_of_range);
}

TEST(SearchSpaceTransformTest, EveryCoordinateMapsToALegalValue) {
  const SearchSpace space = mixed_space();
  const SearchSpaceTransform t(space);
  for (int i = 0; i <= 200; ++i) {
    const double u = i / 200.0;
    std::vector<double> c(t.n_dims());
    for (size_t k = 0; k < t.n_dims(); ++k) c[k] = t.coordinate_from_uniform(k, std::min(u, 0.999));
    const InternalParams p = t.from_coordinates(c);
    for (const auto& [name, v] : p) EXPECT_TRUE(contains(space.at(name), v)) << name << " " << v;
  }
  // Out of the box: clamped.
  EXPECT_EQ(t.from_coordinate(3, -0.3), 1.0);
  EXPECT_EQ(t.from_coordinate(3, 1.7), 10.0);
  EXPECT_EQ(t.from_coordinate(5, 7.0), 2.0);
}

TEST(SearchSpaceTransformTest, GridPointsOwnEqualShares) {
  const SearchSpaceTransform t(mixed_space());
  // d_int has 4 grid points: each owns a quarter of [0, 1].
  EXPECT_EQ(t.from_coordinate(3, 0.24), 1.0);
  EXPECT_EQ(t.from_coordinate(3, 0.26), 4.0);
  EXPECT_EQ(t.from_coordinate(3, 0.74), 7.0);
  EXPECT_EQ(t.from_coordinate(3, 0.76), 10.0);
  EXPECT_NEAR(t.to_coordinate(3, 1.0), 0.125, 1e-12);
}

}  // namespace
}  // namespace hpo
