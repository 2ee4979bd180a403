#include "samplers/tpe/kept_mass_cache.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "samplers/tpe/parzen_estimator.h"

namespace hpo::tpe {
namespace {

// Three continuous dimensions (one narrow, one in log space), a grid and a categorical.
std::vector<ParzenDimension> mixed_dimensions() {
  std::vector<ParzenDimension> dims(5);
  dims[0].low = -5.0;
  dims[0].high = 5.0;
  dims[1].low = std::log(1e-5);
  dims[1].high = std::log(1e-1);
  dims[2].low = 0.0;
  dims[2].high = 0.01;
  dims[3].kind = DimensionKind::kDiscrete;
  dims[3].step = 1.0;
  dims[3].low = 0.5;
  dims[3].high = 8.5;
  dims[4].kind = DimensionKind::kCategorical;
  dims[4].n_choices = 4;
  return dims;
}

// n observations inside the dimensions, some on the ends of the support.
Eigen::MatrixXd observations(const std::vector<ParzenDimension>& dims, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd x(n, static_cast<Eigen::Index>(dims.size()));
  for (int r = 0; r < n; ++r) {
    for (size_t j = 0; j < dims.size(); ++j) {
      const ParzenDimension& d = dims[j];
      double v;
      if (d.kind == DimensionKind::kCategorical) {
        v = std::floor(u(rng) * d.n_choices);
      } else if (d.kind == DimensionKind::kDiscrete) {
        v = d.low + d.step * (0.5 + std::floor(u(rng) * 8.0));
      } else {
        v = r % 11 == 0 ? d.low : r % 13 == 0 ? d.high : d.low + (d.high - d.low) * u(rng);
      }
      x(r, static_cast<Eigen::Index>(j)) = v;
    }
  }
  return x;
}

ParzenEstimatorOptions multivariate() {
  ParzenEstimatorOptions o;
  o.multivariate = true;
  return o;
}

// Masses at the estimator's own widths give the very estimator that computes them itself;
// masses at other widths move log_pdf by no more than log_pdf_error_bound, which is the sum of
// the continuous dimensions' |log(width ratio)|, even for widths half or twice as large.
TEST(KernelMassesTest, StaleMassesStayWithinTheBoundAndFreshOnesAreExact) {
  const std::vector<ParzenDimension> dims = mixed_dimensions();
  const Eigen::MatrixXd x = observations(dims, 300, 1);
  const Eigen::VectorXd w = Eigen::VectorXd::LinSpaced(300, 0.1, 1.0);
  const Eigen::MatrixXd samples = observations(dims, 40, 2);
  const ParzenEstimatorOptions options = multivariate();
  const ParzenEstimator exact(dims, x, w, options);
  Eigen::VectorXd exact_log_pdf;
  exact.log_pdf(samples, exact_log_pdf);
  EXPECT_EQ(exact.log_pdf_error_bound(), 0.0);

  const std::vector<double> widths = ParzenEstimator::multivariate_widths(dims, 300, options);
  for (size_t j = 0; j < 4; ++j) EXPECT_EQ(widths[j], exact.sigmas(static_cast<int>(j))(0)) << j;

  for (const double scale : {1.0, 1.001, 0.98, 0.5, 2.0}) {
    KernelMasses masses;
    masses.widths = widths;
    for (int j = 0; j < 3; ++j) masses.widths[j] *= j == 1 ? 1.0 / scale : scale;
    ParzenEstimator::continuous_log_masses(dims, masses.widths, x, masses.log_masses);
    const ParzenEstimator stale(dims, x, w, options, &masses);
    EXPECT_NEAR(stale.log_pdf_error_bound(), 3.0 * std::abs(std::log(scale)), 1e-12) << scale;
    Eigen::VectorXd stale_log_pdf;
    stale.log_pdf(samples, stale_log_pdf);
    const double worst = (stale_log_pdf - exact_log_pdf).cwiseAbs().maxCoeff();
    if (scale == 1.0) {
      EXPECT_EQ(worst, 0.0);
    } else {
      EXPECT_LE(worst, stale.log_pdf_error_bound() + 1e-12) << scale;
      EXPECT_GT(worst, 0.0) << scale;
    }
  }
}

TEST(KeptMassCacheTest, ReusesMassesOfUnchangedTrialsAndRecomputesWhenWidthsDrift) {
  const std::vector<ParzenDimension> dims = mixed_dimensions();
  const ParzenEstimatorOptions options = multivariate();
  Eigen::MatrixXd x = observations(dims, 200, 3);
  std::vector<int> keys(200);
  for (int r = 0; r < 200; ++r) keys[r] = 2 * r;  // every other trial of the study
  KeptMassCache cache;
  const std::vector<double> widths = ParzenEstimator::multivariate_widths(dims, 200, options);
  KernelMasses first;
  cache.get(7, dims, widths, x, keys, first);
  EXPECT_EQ(cache.computed(), 200);
  EXPECT_EQ(first.widths, widths);
  Eigen::ArrayXd expected;
  ParzenEstimator::continuous_log_masses(dims, widths, x, expected);
  EXPECT_TRUE((first.log_masses == expected).all());

  // One trial's value changes, one trial joins: only those two are computed, at the reference
  // widths though the estimator's have moved a little.
  x(5, 0) = 1.25;
  Eigen::MatrixXd grown(201, x.cols());
  grown << x, observations(dims, 1, 4);
  keys.push_back(401);
  const std::vector<double> moved = ParzenEstimator::multivariate_widths(dims, 201, options);
  KernelMasses second;
  cache.get(7, dims, moved, grown, keys, second);
  EXPECT_EQ(cache.computed(), 202);
  EXPECT_EQ(second.widths, widths);
  ParzenEstimator::continuous_log_masses(dims, widths, grown, expected);
  EXPECT_TRUE((second.log_masses == expected).all());

  // Another param list keeps its own; widths drifted past kMaxDrift start again at the current
  // ones.
  cache.get(8, dims, moved, grown, keys, second);
  EXPECT_EQ(cache.computed(), 403);
  const std::vector<double> far = ParzenEstimator::multivariate_widths(dims, 260, options);
  cache.get(7, dims, far, grown, keys, second);
  EXPECT_EQ(cache.computed(), 604);
  EXPECT_EQ(second.widths, far);
  ParzenEstimator::continuous_log_masses(dims, far, grown, expected);
  EXPECT_TRUE((second.log_masses == expected).all());
}

}  // namespace
}  // namespace hpo::tpe
