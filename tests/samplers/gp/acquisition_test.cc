#include "samplers/gp/acquisition.h"

#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "samplers/gp/scrambled_halton.h"

namespace hpo {
namespace {

// E[max(0, Z + z)] by the textbook formula, fine where it does not underflow.
double plain_ei(double z) {
  const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi);
  return z * cdf + pdf;
}

TEST(LogEiTest, MatchesPlainFormulaAndIsSmoothAcrossBranches) {
  for (double z : {-20.0, -5.0, -1.0, 0.0, 0.5, 3.0, 10.0}) {
    EXPECT_NEAR(standard_log_ei(z), std::log(plain_ei(z)), 1e-9 * std::abs(std::log(plain_ei(z))) + 1e-12) << z;
  }
  // The asymptotic branch (z < -25) joins the direct one continuously.
  EXPECT_NEAR(standard_log_ei(-25.0 - 1e-9), standard_log_ei(-25.0), 1e-6);
  // Far below the incumbent the value is finite and still decreasing.
  EXPECT_TRUE(std::isfinite(standard_log_ei(-1e4)));
  EXPECT_LT(standard_log_ei(-200.0), standard_log_ei(-100.0));
}

TEST(LogEiTest, DerivativeMatchesFiniteDifferences) {
  for (double z : {-60.0, -26.0, -24.0, -3.0, 0.0, 2.0, 8.0}) {
    double dz;
    standard_log_ei(z, &dz);
    const double h = 1e-6 * std::max(1.0, std::abs(z));
    const double fd = (standard_log_ei(z + h) - standard_log_ei(z - h)) / (2 * h);
    EXPECT_NEAR(dz, fd, 1e-5 * std::max(1.0, std::abs(fd))) << z;
  }
}

TEST(ScrambledHaltonTest, PointsAreInUnitCubeDeterministicAndEvenlySpread) {
  ScrambledHalton a(5, 42), b(5, 42), c(5, 43);
  std::vector<double> p(5), q(5), r(5);
  int below_half[5] = {0, 0, 0, 0, 0};
  const int n = 1000;
  bool differs = false;
  for (int i = 0; i < n; ++i) {
    a.point(i, p.data());
    b.point(i, q.data());
    c.point(i, r.data());
    for (int k = 0; k < 5; ++k) {
      EXPECT_GE(p[k], 0.0);
      EXPECT_LT(p[k], 1.0);
      EXPECT_EQ(p[k], q[k]);
      differs = differs || p[k] != r[k];
      below_half[k] += p[k] < 0.5;
    }
  }
  EXPECT_TRUE(differs);
  // Low discrepancy: far closer to n/2 than the ~16 a random sequence would typically miss by.
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(below_half[k], n / 2, 6) << k;
  EXPECT_THROW(ScrambledHalton(0, 1), std::invalid_argument);
}

TEST(MaximizeLogEiTest, FindsTheOptimumOfAKnownPosterior) {
  // Noise-free observations of -(x - 0.3)^2 - (y - 0.7)^2 on a grid: the maximizer of EI
  // should land near (0.3, 0.7).
  Eigen::MatrixXd x(25, 2);
  Eigen::VectorXd y(25);
  int i = 0;
  for (int a = 0; a < 5; ++a) {
    for (int b = 0; b < 5; ++b, ++i) {
      x(i, 0) = a / 4.0;
      x(i, 1) = b / 4.0;
      y[i] = -std::pow(x(i, 0) - 0.3, 2) - std::pow(x(i, 1) - 0.7, 2);
    }
  }
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  const KernelParams p = fit_kernel_params(x, y, {false, false}, KernelParams::initial(2));
  GaussianProcess gp(x, y, {false, false}, p);
  Eigen::Index best_i;
  const double best = y.maxCoeff(&best_i);
  const Eigen::VectorXd argmax =
      maximize_log_ei(gp, best, {0, 0}, {x.row(best_i).transpose()}, 7);
  EXPECT_NEAR(argmax[0], 0.3, 0.1);
  EXPECT_NEAR(argmax[1], 0.7, 0.1);
  EXPECT_GE(argmax.minCoeff(), 0.0);
  EXPECT_LE(argmax.maxCoeff(), 1.0);
}

TEST(MaximizeLogEiTest, PicksTheBestCategory) {
  // One numeric and one categorical coordinate; category 2 is clearly best.
  Eigen::MatrixXd x(12, 2);
  Eigen::VectorXd y(12);
  for (int i = 0; i < 12; ++i) {
    x(i, 0) = (i / 3) / 3.0;
    x(i, 1) = i % 3;
    y[i] = (i % 3 == 2 ? 1.0 : -1.0) - 0.1 * x(i, 0);
  }
  const std::vector<bool> cat = {false, true};
  const KernelParams p = fit_kernel_params(x, y, cat, KernelParams::initial(2));
  GaussianProcess gp(x, y, cat, p);
  const Eigen::VectorXd argmax = maximize_log_ei(gp, y.maxCoeff(), {0, 3}, {}, 3);
  EXPECT_EQ(argmax[1], 2.0);
}

}  // namespace
}  // namespace hpo
