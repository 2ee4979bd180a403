// The factory: names, options and URLs in; objects or clear errors out.
#include "core/factory.h"

#include <gtest/gtest.h>

#include "tests/core/error_of.h"

#include <algorithm>

namespace hpo {
namespace {

using testing::error_of;

TEST(FactoryTest, BuildsKnownImplementations) {
  EXPECT_NE(make_sampler("random", {{"seed", 1}}), nullptr);
  EXPECT_NE(make_sampler("grid", {{"search_space", {{"x", {1, 2}}}}}), nullptr);
  EXPECT_NE(make_pruner("nop"), nullptr);
  EXPECT_NE(make_storage(":memory:"), nullptr);
  EXPECT_NE(make_storage(""), nullptr);
  EXPECT_NE(make_default_sampler(), nullptr);
  EXPECT_NE(make_default_pruner(), nullptr);
  auto names = sampler_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "random"), names.end());
  auto pruners = pruner_names();
  EXPECT_NE(std::find(pruners.begin(), pruners.end(), "nop"), pruners.end());
}

TEST(FactoryTest, UnknownNameSuggestsTheClosest) {
  std::string m = error_of([] { make_sampler("radnom"); });
  EXPECT_NE(m.find("unknown sampler 'radnom'"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean 'random'"), std::string::npos) << m;
  m = error_of([] { make_pruner("nope"); });
  EXPECT_NE(m.find("unknown pruner 'nope'"), std::string::npos) << m;
}

TEST(FactoryTest, UnknownOrMistypedOptionIsNamed) {
  std::string m = error_of([] { make_sampler("random", {{"sed", 1}}); });
  EXPECT_NE(m.find("sed"), std::string::npos) << m;
  EXPECT_NE(m.find("seed"), std::string::npos) << m;
  m = error_of([] { make_sampler("random", {{"seed", "one"}}); });
  EXPECT_NE(m.find("seed"), std::string::npos) << m;
  m = error_of([] { make_sampler("grid", {{"search_space", {{"x", nlohmann::json::array()}}}}); });
  EXPECT_NE(m.find("search_space['x']"), std::string::npos) << m;
}

TEST(FactoryTest, UnsupportedUrlNamesTheSchemeButNeverThePassword) {
  std::string m = error_of([] { make_storage("mysql://user:secret@host/db"); });
  EXPECT_NE(m.find("'mysql'"), std::string::npos) << m;
  EXPECT_EQ(m.find("secret"), std::string::npos) << m;
}

}  // namespace
}  // namespace hpo
