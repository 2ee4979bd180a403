#include "samplers/tpe/estimator_cache.h"

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace hpo::tpe {
namespace {

std::vector<ParzenDimension> two_dimensions() {
  std::vector<ParzenDimension> dims(2);
  dims[0].low = -1.0;
  dims[0].high = 1.0;
  dims[1].kind = DimensionKind::kDiscrete;
  dims[1].low = 0.5;
  dims[1].high = 4.5;
  dims[1].step = 1.0;
  return dims;
}

TEST(EstimatorCacheTest, BitwiseSameInputsShareOneEstimatorAndAnyChangeBuildsAnother) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::vector<ParzenDimension> dims = two_dimensions();
  Eigen::MatrixXd obs(20, 2);
  for (int r = 0; r < obs.rows(); ++r) {
    obs(r, 0) = -1.0 + 2.0 * u(rng);
    obs(r, 1) = 1.0 + std::floor(4.0 * u(rng));
  }
  const Eigen::VectorXd w = Eigen::VectorXd::Ones(20);
  ParzenEstimatorOptions options;
  options.multivariate = true;

  EstimatorCache cache;
  const auto first = cache.get(dims, obs, w, options);
  const auto again = cache.get(dims, obs, w, options);
  EXPECT_EQ(first.get(), again.get());
  EXPECT_EQ(cache.hits(), 1);

  // The cached estimator is the one the inputs give.
  const ParzenEstimator fresh(dims, obs, w, options);
  Eigen::MatrixXd s;
  fresh.sample(rng, 10, s);
  for (int i = 0; i < s.rows(); ++i) s(i, 1) = std::round(s(i, 1));
  Eigen::VectorXd cached_lp, fresh_lp;
  again->log_pdf(s, cached_lp);
  fresh.log_pdf(s, fresh_lp);
  EXPECT_EQ(cached_lp, fresh_lp);

  Eigen::MatrixXd moved = obs;
  moved(7, 0) = std::nextafter(moved(7, 0), 2.0);  // one ulp
  Eigen::VectorXd heavier = w;
  heavier(0) = 2.0;
  ParzenEstimatorOptions no_prior = options;
  no_prior.consider_prior = false;
  std::vector<ParzenDimension> wider = dims;
  wider[0].high = 2.0;
  EXPECT_NE(cache.get(dims, moved, w, options).get(), first.get());
  EXPECT_NE(cache.get(dims, obs, heavier, options).get(), first.get());
  EXPECT_NE(cache.get(dims, obs, w, no_prior).get(), first.get());
  EXPECT_NE(cache.get(wider, obs, w, options).get(), first.get());
  EXPECT_EQ(cache.hits(), 1);
  // Four entries since `first`: it was the oldest and is gone.
  EXPECT_NE(cache.get(dims, obs, w, options).get(), first.get());
  EXPECT_EQ(cache.hits(), 1);
}

}  // namespace
}  // namespace hpo::tpe
