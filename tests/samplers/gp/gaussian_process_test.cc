#include "samplers/gp/gaussian_process.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace hpo {
namespace {

Eigen::MatrixXd random_points(int n, int d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd x(n, d);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < d; ++k) x(i, k) = u(rng);
  return x;
}

Eigen::VectorXd smooth_function(const Eigen::MatrixXd& x) {
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    y[i] = std::sin(3.0 * x(i, 0)) + x.row(i).squaredNorm() - 0.5;
  }
  return y;
}

TEST(Matern52Test, KnownValues) {
  KernelParams p = KernelParams::initial(2);
  p.kernel_scale = 2.0;
  p.inverse_squared_lengthscales << 4.0, 1.0;
  Eigen::MatrixXd a(1, 2), b(2, 2);
  a << 0.0, 0.0;
  b << 0.0, 0.0, 0.5, 1.0;  // r^2 = 4 * 0.25 + 1 = 2
  const Eigen::MatrixXd k = matern52(a, b, {false, false}, p);
  const double r = std::sqrt(2.0);
  EXPECT_DOUBLE_EQ(k(0, 0), 2.0);
  EXPECT_NEAR(k(0, 1),
              2.0 * (1 + std::sqrt(5.0) * r + 5.0 / 3.0 * 2.0) * std::exp(-std::sqrt(5.0) * r),
              1e-12);
}

TEST(Matern52Test, CategoricalIsHamming) {
  KernelParams p = KernelParams::initial(2);
  p.inverse_squared_lengthscales << 1.0, 0.7;
  Eigen::MatrixXd a(1, 2), b(3, 2);
  a << 0.3, 2.0;
  b << 0.3, 2.0, 0.3, 0.0, 0.3, 1.0;  // same choice; two different choices
  const Eigen::MatrixXd k = matern52(a, b, {false, true}, p);
  EXPECT_DOUBLE_EQ(k(0, 0), 1.0);
  EXPECT_LT(k(0, 1), 1.0);
  // Any other choice is equally far: distance is equality, not index difference.
  EXPECT_DOUBLE_EQ(k(0, 1), k(0, 2));
}

TEST(GaussianProcessTest, PosteriorMeanInterpolatesNoiseFreeData) {
  const Eigen::MatrixXd x = random_points(25, 3, 1);
  const Eigen::VectorXd y = smooth_function(x);
  KernelParams p = KernelParams::initial(3);
  p.noise_var = kMinNoiseVar;
  GaussianProcess gp(x, y, {false, false, false}, p);
  Eigen::VectorXd mean, var;
  gp.predict(x, &mean, &var);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    EXPECT_NEAR(mean[i], y[i], 1e-4) << i;
    EXPECT_LT(var[i], 1e-4) << i;
  }
  // Away from the data the posterior is uncertain again.
  Eigen::MatrixXd far(1, 3);
  far << 100.0, 100.0, 100.0;
  gp.predict(far, &mean, &var);
  EXPECT_NEAR(var[0], p.kernel_scale, 1e-6);
  EXPECT_NEAR(mean[0], 0.0, 1e-6);
}

TEST(GaussianProcessTest, AppendMatchesFullFactorization) {
  const Eigen::MatrixXd x = random_points(30, 4, 2);
  const Eigen::VectorXd y = smooth_function(x);
  const std::vector<bool> cat(4, false);
  const KernelParams p = KernelParams::initial(4);
  GaussianProcess full(x, y, cat, p);
  GaussianProcess grown(x.topRows(20), y.head(20), cat, p);
  grown.append(x.bottomRows(10), y.tail(10));
  ASSERT_EQ(grown.n(), 30);
  const Eigen::MatrixXd q = random_points(7, 4, 3);
  Eigen::VectorXd m1, v1, m2, v2;
  full.predict(q, &m1, &v1);
  grown.predict(q, &m2, &v2);
  EXPECT_LT((m1 - m2).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT((v1 - v2).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(GaussianProcessTest, AppendOfRepeatedPointStaysFinite) {
  const Eigen::MatrixXd x = random_points(10, 2, 4);
  const Eigen::VectorXd y = smooth_function(x);
  KernelParams p = KernelParams::initial(2);
  p.noise_var = kMinNoiseVar;
  GaussianProcess gp(x, y, {false, false}, p);
  gp.append(x.topRows(3), y.head(3));  // exact duplicates
  Eigen::VectorXd mean, var;
  gp.predict(x, &mean, &var);
  EXPECT_TRUE(mean.allFinite());
  EXPECT_LT((mean - y).cwiseAbs().maxCoeff(), 1e-2);
}

TEST(GaussianProcessTest, PredictWithGradientMatchesBatchAndFiniteDifferences) {
  const Eigen::MatrixXd x = random_points(15, 3, 5);
  Eigen::MatrixXd xc = x;
  for (Eigen::Index i = 0; i < xc.rows(); ++i) xc(i, 2) = static_cast<double>(i % 3);
  const Eigen::VectorXd y = smooth_function(x);
  KernelParams p = KernelParams::initial(3);
  p.inverse_squared_lengthscales << 3.0, 0.5, 1.2;
  const std::vector<bool> cat = {false, false, true};
  GaussianProcess gp(xc, y, cat, p);
  Eigen::VectorXd q(3);
  q << 0.4, 0.7, 1.0;
  double mean, var;
  Eigen::VectorXd dmean, dvar;
  gp.predict_with_gradient(q, &mean, &var, &dmean, &dvar);
  Eigen::VectorXd bm, bv;
  gp.predict(q.transpose(), &bm, &bv);
  EXPECT_NEAR(mean, bm[0], 1e-10);
  EXPECT_NEAR(var, bv[0], 1e-10);
  const double h = 1e-6;
  for (int k = 0; k < 2; ++k) {
    Eigen::VectorXd qp = q, qm = q;
    qp[k] += h;
    qm[k] -= h;
    double mp, vp, mm, vm;
    Eigen::VectorXd g1, g2;
    gp.predict_with_gradient(qp, &mp, &vp, &g1, &g2);
    gp.predict_with_gradient(qm, &mm, &vm, &g1, &g2);
    EXPECT_NEAR(dmean[k], (mp - mm) / (2 * h), 1e-5) << k;
    EXPECT_NEAR(dvar[k], (vp - vm) / (2 * h), 1e-5) << k;
  }
  EXPECT_EQ(dmean[2], 0.0);
}

TEST(LogMarginalLikelihoodTest, GradientMatchesFiniteDifferences) {
  Eigen::MatrixXd x = random_points(20, 3, 6);
  for (Eigen::Index i = 0; i < x.rows(); ++i) x(i, 1) = static_cast<double>(i % 4);
  const std::vector<bool> cat = {false, true, false};
  Eigen::VectorXd y = smooth_function(x);
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  KernelParams p = KernelParams::initial(3);
  p.inverse_squared_lengthscales << 2.0, 0.3, 5.0;
  p.kernel_scale = 0.8;
  p.noise_var = 0.05;
  Eigen::VectorXd grad;
  log_marginal_likelihood_with_prior(x, y, cat, p, &grad);
  const Eigen::VectorXd raw = p.to_raw();
  ASSERT_EQ(grad.size(), raw.size());
  const double h = 1e-5;
  for (Eigen::Index i = 0; i < raw.size(); ++i) {
    Eigen::VectorXd rp = raw, rm = raw;
    rp[i] += h;
    rm[i] -= h;
    const double fp =
        log_marginal_likelihood_with_prior(x, y, cat, KernelParams::from_raw(rp), nullptr);
    const double fm =
        log_marginal_likelihood_with_prior(x, y, cat, KernelParams::from_raw(rm), nullptr);
    const double fd = (fp - fm) / (2 * h);
    EXPECT_NEAR(grad[i], fd, 1e-5 * std::max(1.0, std::abs(fd))) << "raw param " << i;
  }
}

TEST(FitKernelParamsTest, FitImprovesLikelihoodAndFindsIrrelevantDimension) {
  // y depends on dim 0 only: the fit should give dim 1 a much longer length scale.
  Eigen::MatrixXd x = random_points(40, 2, 7);
  Eigen::VectorXd y(40);
  for (int i = 0; i < 40; ++i) y[i] = std::sin(6.0 * x(i, 0));
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  const std::vector<bool> cat = {false, false};
  const KernelParams start = KernelParams::initial(2);
  const KernelParams fit = fit_kernel_params(x, y, cat, start);
  EXPECT_GT(log_marginal_likelihood_with_prior(x, y, cat, fit, nullptr),
            log_marginal_likelihood_with_prior(x, y, cat, start, nullptr));
  EXPECT_GT(fit.inverse_squared_lengthscales[0], 10.0 * fit.inverse_squared_lengthscales[1]);
  EXPECT_GE(fit.noise_var, kMinNoiseVar);
}

TEST(FitKernelParamsTest, DeterministicObjectiveHoldsNoiseAtMinimum) {
  const Eigen::MatrixXd x = random_points(20, 2, 8);
  Eigen::VectorXd y = smooth_function(x);
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  FitOptions o;
  o.deterministic_objective = true;
  const KernelParams fit = fit_kernel_params(x, y, {false, false}, KernelParams::initial(2), o);
  EXPECT_NEAR(fit.noise_var, kMinNoiseVar, 1e-9);
}

TEST(CholeskyTest, JitterRescuesSingularMatrix) {
  Eigen::MatrixXd k = Eigen::MatrixXd::Ones(3, 3);  // rank 1
  k(2, 2) = 1.0 - 1e-13;                            // and slightly indefinite
  const Eigen::LLT<Eigen::MatrixXd> llt = cholesky_with_jitter(k);
  EXPECT_EQ(llt.info(), Eigen::Success);
  EXPECT_THROW(cholesky_with_jitter(-Eigen::MatrixXd::Identity(2, 2)), std::runtime_error);
}

}  // namespace
}  // namespace hpo
