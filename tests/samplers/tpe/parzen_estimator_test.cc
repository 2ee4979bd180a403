#include "samplers/tpe/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace hpo::tpe {
namespace {

double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// The reference the many-kernel tests compare with: log(sum of exp(terms)), plainly.
double log_sum_exp(const std::vector<double>& terms) {
  const double m = *std::max_element(terms.begin(), terms.end());
  double sum = 0.0;
  for (double t : terms) sum += std::exp(t - m);
  return m + std::log(sum);
}

// The four dimensions of Optuna's reference case: Float(0, 1), Int(1, 8), Categorical(3 choices),
// Float(1e-3, 1, log) — in the transformed space.
std::vector<ParzenDimension> mixed_dimensions() {
  std::vector<ParzenDimension> dims(4);
  dims[0].kind = DimensionKind::kContinuous;
  dims[0].low = 0.0;
  dims[0].high = 1.0;
  dims[1].kind = DimensionKind::kDiscrete;
  dims[1].low = 0.5;
  dims[1].high = 8.5;
  dims[1].step = 1.0;
  dims[2].kind = DimensionKind::kCategorical;
  dims[2].n_choices = 3;
  dims[3].kind = DimensionKind::kContinuous;
  dims[3].low = std::log(1e-3);
  dims[3].high = std::log(1.0);
  return dims;
}

Eigen::MatrixXd mixed_observations() {
  Eigen::MatrixXd obs(4, 4);
  obs << 0.1, 1, 0, std::log(0.01),  //
      0.5, 3, 2, std::log(0.5),      //
      0.55, 3, 2, std::log(0.002),   //
      0.9, 8, 1, std::log(0.1);
  return obs;
}

// n random observations in mixed_dimensions() with weights in [min_weight, min_weight + 1);
// `clustered` puts half of the first dimension's values in [0.2, 0.25].
void random_mixed_observations(std::mt19937_64& rng, int n, bool clustered, double min_weight,
                               Eigen::MatrixXd& obs, Eigen::VectorXd& w) {
  const std::vector<ParzenDimension> dims = mixed_dimensions();
  std::uniform_real_distribution<double> u(0.0, 1.0);
  obs.resize(n, 4);
  w.resize(n);
  for (int r = 0; r < n; ++r) {
    obs(r, 0) = clustered && u(rng) < 0.5 ? 0.2 + 0.05 * u(rng) : u(rng);
    obs(r, 1) = 1 + std::floor(8 * u(rng));
    obs(r, 2) = std::floor(3 * u(rng));
    obs(r, 3) = dims[3].low + (dims[3].high - dims[3].low) * u(rng);
    w(r) = min_weight + u(rng);
  }
}

Eigen::MatrixXd mixed_samples() {
  Eigen::MatrixXd s(4, 4);
  s << 0.0, 1, 0, std::log(1e-3),  //
      0.3, 2, 1, std::log(0.05),   //
      0.77, 5, 2, std::log(0.3),   //
      1.0, 8, 2, std::log(1.0);
  return s;
}

// Reference values computed with Optuna 3.1's _ParzenEstimator on the same inputs. The log
// densities carry the -log(sigma) term that 3.1's truncnorm.logpdf left out (Optuna issue 5109,
// fixed in 3.5): hpo's kernels are normalized densities, as in Optuna since 3.5.
TEST(ParzenEstimatorTest, UnivariateMatchesOptuna) {
  ParzenEstimator pe(mixed_dimensions(), mixed_observations(), Eigen::VectorXd::Ones(4), {});
  const std::vector<double> x_sigmas = {0.4, 0.4, 0.35, 0.35, 1.0};
  const std::vector<double> i_sigmas = {2.0, 2.0, 1.5, 3.5, 8.0};
  ASSERT_EQ(pe.n_kernels(), 5);
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(pe.sigmas(0)(k), x_sigmas[k], 1e-12) << k;
    EXPECT_NEAR(pe.sigmas(1)(k), i_sigmas[k], 1e-12) << k;
    EXPECT_NEAR(pe.sigmas(3)(k), k < 4 ? 1.6094379124341 : 6.907755278982137, 1e-12) << k;
    EXPECT_NEAR(pe.weights()(k), 0.2, 1e-12);
  }
  EXPECT_NEAR(pe.mus(1)(4), 4.5, 1e-12);  // the prior sits at the centre
  Eigen::ArrayXXd p = pe.categorical_probabilities(2);
  EXPECT_NEAR(p(0, 0), 0.75, 1e-12);
  EXPECT_NEAR(p(1, 0), 0.125, 1e-12);
  EXPECT_NEAR(p(2, 1), 0.75, 1e-12);
  EXPECT_NEAR(p(1, 4), 1.0 / 3.0, 1e-12);

  Eigen::VectorXd lp;
  pe.log_pdf(mixed_samples(), lp);
  const std::vector<double> expected = {-4.684822606807659, -5.328122366215396,
                                        -4.612804609504122, -6.1262519321360775};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(lp(i), expected[i], 1e-9) << i;
}

TEST(ParzenEstimatorTest, MultivariateMatchesOptuna) {
  ParzenEstimatorOptions options;
  options.multivariate = true;
  ParzenEstimator pe(mixed_dimensions(), mixed_observations(), Eigen::VectorXd::Ones(4), options);
  EXPECT_NEAR(pe.sigmas(0)(0), 0.16817928305074292, 1e-12);
  EXPECT_NEAR(pe.sigmas(1)(2), 1.3454342644059434, 1e-12);
  EXPECT_NEAR(pe.sigmas(1)(4), 8.0, 1e-12);
  Eigen::VectorXd lp;
  pe.log_pdf(mixed_samples(), lp);
  const std::vector<double> expected = {-4.594278518036697, -5.61492559101082,
                                        -5.079362370344355, -5.996364679917903};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(lp(i), expected[i], 1e-9) << i;
}

// normalized_kernels = false reproduces Optuna 3.1 itself: reference values from 3.1's
// _ParzenEstimator.log_pdf, unpatched, on the same inputs (univariate and multivariate widths).
TEST(ParzenEstimatorTest, UnnormalizedKernelsMatchOptuna31AsShipped) {
  const std::vector<std::vector<double>> expected = {
      {-4.426351692027388, -4.510485623383185, -4.263845319691292, -4.909342851973502},
      {-4.773314104814667, -4.684665266498363, -4.649406986447375, -4.967118802112511}};
  for (bool multivariate : {false, true}) {
    ParzenEstimatorOptions options;
    options.multivariate = multivariate;
    options.normalized_kernels = false;
    ParzenEstimator pe(mixed_dimensions(), mixed_observations(), Eigen::VectorXd::Ones(4),
                       options);
    Eigen::VectorXd lp;
    pe.log_pdf(mixed_samples(), lp);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(lp(i), expected[multivariate][i], 1e-9) << i;
  }
}

// log_pdf against the plain sum over kernels of weight x product of per-dimension densities.
TEST(ParzenEstimatorTest, LogPdfEqualsBruteForceSum) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (bool multivariate : {false, true}) {
    for (bool prior : {false, true}) {
      std::vector<ParzenDimension> dims = mixed_dimensions();
      Eigen::MatrixXd obs;
      Eigen::VectorXd w;
      random_mixed_observations(rng, 30, false, 0.1, obs, w);
      ParzenEstimatorOptions options;
      options.multivariate = multivariate;
      options.consider_prior = prior;
      ParzenEstimator pe(dims, obs, w, options);
      Eigen::MatrixXd s;
      pe.sample(rng, 50, s);
      for (int i = 0; i < s.rows(); ++i) s(i, 1) = std::round(s(i, 1));

      Eigen::VectorXd lp;
      pe.log_pdf(s, lp);
      const Eigen::ArrayXd weights = pe.weights();
      const Eigen::ArrayXXd cat = pe.categorical_probabilities(2);
      for (int i = 0; i < s.rows(); ++i) {
        double sum = 0.0;
        for (int k = 0; k < pe.n_kernels(); ++k) {
          double p = weights(k);
          for (int j : {0, 3}) {
            const double mu = pe.mus(j)(k), sigma = pe.sigmas(j)(k);
            const double z = (s(i, j) - mu) / sigma;
            const double mass =
                phi_cdf((dims[j].high - mu) / sigma) - phi_cdf((dims[j].low - mu) / sigma);
            p *= std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * std::numbers::pi)) / mass;
          }
          const double mu = pe.mus(1)(k), sigma = pe.sigmas(1)(k);
          const double lo = std::max(s(i, 1) - 0.5, 0.5), hi = std::min(s(i, 1) + 0.5, 8.5);
          p *= (phi_cdf((hi - mu) / sigma) - phi_cdf((lo - mu) / sigma)) /
               (phi_cdf((8.5 - mu) / sigma) - phi_cdf((0.5 - mu) / sigma));
          p *= cat(static_cast<int>(s(i, 2)), k);
          sum += p;
        }
        EXPECT_NEAR(lp(i), std::log(sum), 1e-9) << multivariate << prior << i;
      }
    }
  }
}

TEST(ParzenEstimatorTest, SamplesStayInsideTheSupportAndFollowTheKernel) {
  std::vector<ParzenDimension> dims(1);
  dims[0].low = -1.0;
  dims[0].high = 1.0;
  Eigen::MatrixXd obs(1, 1);
  obs << 0.95;
  ParzenEstimatorOptions options;
  options.consider_prior = false;
  ParzenEstimator pe(dims, obs, Eigen::VectorXd::Ones(1), options);
  std::mt19937_64 rng(3);
  Eigen::MatrixXd s;
  pe.sample(rng, 20000, s);
  EXPECT_GE(s.minCoeff(), -1.0);
  EXPECT_LE(s.maxCoeff(), 1.0);
  // One kernel at 0.95 of width 1 (the magic clip's floor is 1.0 here), truncated to [-1, 1]:
  // the truncated normal's mean is mu + sigma (phi(a) - phi(b)) / (Phi(b) - Phi(a)).
  const double mu = pe.mus(0)(0), sigma = pe.sigmas(0)(0);
  const double a = (-1.0 - mu) / sigma, b = (1.0 - mu) / sigma;
  auto pdf = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi); };
  const double mean = mu + sigma * (pdf(a) - pdf(b)) / (phi_cdf(b) - phi_cdf(a));
  EXPECT_NEAR(s.mean(), mean, 0.02);
}

TEST(ParzenEstimatorTest, FarTailSamplingIsExactAndBounded) {
  // A narrow kernel (no magic clip) far outside the centre of a wide support exercises the
  // exponential tail sampler: draws stay in bounds and near the kernel.
  std::vector<ParzenDimension> dims(1);
  dims[0].low = 0.0;
  dims[0].high = 100.0;
  Eigen::MatrixXd obs(1, 1);
  obs << 100.0;
  ParzenEstimatorOptions options;
  options.consider_prior = false;
  options.consider_magic_clip = false;
  ParzenEstimator pe(dims, obs, Eigen::VectorXd::Ones(1), options);
  std::mt19937_64 rng(5);
  Eigen::MatrixXd s;
  pe.sample(rng, 1000, s);
  EXPECT_LE(s.maxCoeff(), 100.0);
  EXPECT_GE(s.minCoeff(), 0.0);
}

TEST(ParzenEstimatorTest, NoObservationsMeansThePriorAlone) {
  std::vector<ParzenDimension> dims = mixed_dimensions();
  ParzenEstimatorOptions options;
  options.consider_prior = false;  // forced on when there is nothing else
  ParzenEstimator pe(dims, Eigen::MatrixXd(0, 4), Eigen::VectorXd(0), options);
  EXPECT_EQ(pe.n_kernels(), 1);
  EXPECT_DOUBLE_EQ(pe.sigmas(0)(0), 1.0);
  EXPECT_DOUBLE_EQ(pe.mus(0)(0), 0.5);
}

// Many kernels in one numerical dimension (univariate TPE at thousands of trials): log_pdf skips
// the kernels that cannot matter and shares cell masses between kernels; its result must stay
// within 1e-12 of the full log-sum-exp over every kernel.
TEST(ParzenEstimatorTest, ManyKernelsMatchTheFullSumOverKernels) {
  struct Case {
    DimensionKind kind;
    double low, high, step;
    int n;
    bool prior, clip;
  };
  const std::vector<Case> cases = {
      {DimensionKind::kContinuous, 0.0, 1.0, 0.0, 3000, true, true},
      {DimensionKind::kContinuous, -5.0, 5.0, 0.0, 500, false, false},
      {DimensionKind::kDiscrete, 15.5, 512.5, 1.0, 1000, true, true},   // int in [16, 512]
      {DimensionKind::kDiscrete, 0.5, 8.5, 1.0, 2000, true, true},      // int in [1, 8]
      {DimensionKind::kDiscrete, -0.25, 10.25, 0.5, 400, false, false}, // float, step 0.5
  };
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (size_t c = 0; c < cases.size(); ++c) {
    const Case& tc = cases[c];
    std::vector<ParzenDimension> dims(1);
    dims[0].kind = tc.kind;
    dims[0].low = tc.low;
    dims[0].high = tc.high;
    dims[0].step = tc.step;
    const bool discrete = tc.kind == DimensionKind::kDiscrete;
    const int cells = discrete ? static_cast<int>(std::round((tc.high - tc.low) / tc.step)) : 0;
    // Half the observations in a tight cluster, half spread out: narrow and wide kernels.
    Eigen::MatrixXd obs(tc.n, 1);
    Eigen::VectorXd w(tc.n);
    for (int r = 0; r < tc.n; ++r) {
      const double v = r % 2 == 0 ? 0.3 + 0.01 * u(rng) : u(rng);
      obs(r, 0) = discrete ? tc.low + tc.step * (0.5 + std::min(std::floor(v * cells), cells - 1.0))
                           : tc.low + (tc.high - tc.low) * v;
      w(r) = 0.01 + static_cast<double>(r) / tc.n;
    }
    ParzenEstimatorOptions options;
    options.consider_prior = tc.prior;
    options.consider_magic_clip = tc.clip;
    // Optuna 3.1's kernels (no 1/sigma) for the odd cases: the window must hold for both.
    options.normalized_kernels = c % 2 == 0;
    ParzenEstimator pe(dims, obs, w, options);
    Eigen::MatrixXd s;
    pe.sample(rng, 200, s);
    s(0, 0) = tc.low;
    s(1, 0) = tc.high;
    for (int i = 0; i < s.rows(); ++i) {
      if (discrete) {
        const double cell = std::clamp(std::floor((s(i, 0) - tc.low) / tc.step), 0.0, cells - 1.0);
        s(i, 0) = tc.low + tc.step * (cell + 0.5);
      }
    }
    Eigen::VectorXd lp;
    pe.log_pdf(s, lp);
    const Eigen::ArrayXd weights = pe.weights();
    const Eigen::ArrayXd& mus = pe.mus(0);
    const Eigen::ArrayXd& sigmas = pe.sigmas(0);
    for (int i = 0; i < s.rows(); ++i) {
      std::vector<double> terms;
      for (int k = 0; k < pe.n_kernels(); ++k) {
        const double sigma = sigmas(k), mu = mus(k), x = s(i, 0);
        double t = std::log(weights(k)) -
                   log_gauss_mass((tc.low - mu) / sigma, (tc.high - mu) / sigma);
        if (discrete) {
          const double lo = std::max(x - 0.5 * tc.step, tc.low);
          const double hi = std::min(x + 0.5 * tc.step, tc.high);
          t += log_gauss_mass((lo - mu) / sigma, (hi - mu) / sigma);
        } else {
          const double z = (x - mu) / sigma;
          t += -0.5 * z * z - std::log(std::sqrt(2 * std::numbers::pi)) -
               (options.normalized_kernels ? std::log(sigma) : 0.0);
        }
        terms.push_back(t);
      }
      const double expected = log_sum_exp(terms);
      EXPECT_NEAR(lp(i), expected, 1e-12 * std::max(1.0, std::abs(expected))) << c << " " << i;
    }
  }
}

// Multivariate estimators with hundreds of kernels: log_pdf visits them in blocks, and the
// continuous dimensions of shared width go through one matrix product; both against the plain
// log-sum-exp over kernels, with and without the prior (which has its own width).
TEST(ParzenEstimatorTest, ManyMultivariateKernelsMatchTheFullSum) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<ParzenDimension> dims = mixed_dimensions();
  for (bool prior : {true, false}) {
    for (bool normalized : {true, false}) {
      Eigen::MatrixXd obs;
      Eigen::VectorXd w;
      random_mixed_observations(rng, 700, true, 0.05, obs, w);
      ParzenEstimatorOptions options;
      options.multivariate = true;
      options.consider_prior = prior;
      options.normalized_kernels = normalized;
      ParzenEstimator pe(dims, obs, w, options);
      Eigen::MatrixXd s;
      pe.sample(rng, 40, s);
      for (int i = 0; i < s.rows(); ++i) s(i, 1) = std::round(s(i, 1));
      s(0, 0) = 0.0;  // on the bounds
      s(1, 3) = dims[3].high;
      Eigen::VectorXd lp;
      pe.log_pdf(s, lp);
      const Eigen::ArrayXd weights = pe.weights();
      const Eigen::ArrayXXd cat = pe.categorical_probabilities(2);
      for (int i = 0; i < s.rows(); ++i) {
        std::vector<double> terms;
        for (int k = 0; k < pe.n_kernels(); ++k) {
          double t = std::log(weights(k)) + std::log(cat(static_cast<int>(s(i, 2)), k));
          for (int j : {0, 3}) {
            const double mu = pe.mus(j)(k), sigma = pe.sigmas(j)(k);
            const double z = (s(i, j) - mu) / sigma;
            t += -0.5 * z * z - 0.5 * std::log(2 * std::numbers::pi) -
                 log_gauss_mass((dims[j].low - mu) / sigma, (dims[j].high - mu) / sigma) -
                 (normalized ? std::log(sigma) : 0.0);
          }
          const double mu = pe.mus(1)(k), sigma = pe.sigmas(1)(k);
          const double lo = std::max(s(i, 1) - 0.5, 0.5), hi = std::min(s(i, 1) + 0.5, 8.5);
          t += log_gauss_mass((lo - mu) / sigma, (hi - mu) / sigma) -
               log_gauss_mass((0.5 - mu) / sigma, (8.5 - mu) / sigma);
          terms.push_back(t);
        }
        const double expected = log_sum_exp(terms);
        EXPECT_NEAR(lp(i), expected, 1e-12 * std::max(1.0, std::abs(expected)))
            << prior << normalized << " " << i;
      }
    }
  }
}

// A multivariate mixed space like the sampler's: three continuous dimensions (the shared-width
// matrix product), a small and a large integer grid, and a categorical one.
std::vector<ParzenDimension> wide_mixed_dimensions() {
  std::vector<ParzenDimension> dims(6);
  dims[0].low = 0.0;
  dims[0].high = 1.0;
  dims[1].low = std::log(1e-3);
  dims[1].high = 0.0;
  dims[2].low = -5.0;
  dims[2].high = 5.0;
  dims[3].kind = DimensionKind::kDiscrete;
  dims[3].low = 0.5;
  dims[3].high = 8.5;
  dims[3].step = 1.0;
  dims[4].kind = DimensionKind::kDiscrete;
  dims[4].low = 15.5;
  dims[4].high = 512.5;
  dims[4].step = 1.0;
  dims[5].kind = DimensionKind::kCategorical;
  dims[5].n_choices = 4;
  return dims;
}

// The log density of one sample as a plain sum over kernels of products over dimensions: every
// kernel's truncation normalizers and cell masses from log_gauss_mass, its bandwidth from Scott's
// rule (Optuna's multivariate sigma, one per dimension; the prior's is the range).
double reference_log_pdf(const std::vector<ParzenDimension>& dims, const Eigen::MatrixXd& obs,
                         const Eigen::VectorXd& w, bool prior, bool normalized,
                         const Eigen::RowVectorXd& x) {
  const int n = static_cast<int>(obs.rows());
  const int d = static_cast<int>(dims.size());
  const int n_kernels = n + (prior ? 1 : 0);
  double weight_sum = w.sum() + (prior ? 1.0 : 0.0);
  std::vector<double> terms;
  for (int k = 0; k < n_kernels; ++k) {
    const bool is_prior = k == n;
    double t = std::log((is_prior ? 1.0 : w(k)) / weight_sum);
    for (int j = 0; j < d; ++j) {
      const ParzenDimension& dim = dims[j];
      if (dim.kind == DimensionKind::kCategorical) {
        const double smoothing = 1.0 / (prior ? n + 1 : n);
        const double total = 1.0 + dim.n_choices * smoothing;
        double p = 1.0 / dim.n_choices;
        if (!is_prior) p = (smoothing + (obs(k, j) == x(j) ? 1.0 : 0.0)) / total;
        t += std::log(p);
        continue;
      }
      const double range = dim.high - dim.low;
      const double mu = is_prior ? 0.5 * (dim.low + dim.high) : obs(k, j);
      const double sigma =
          is_prior ? range
                   : std::clamp(0.2 * std::pow(std::max(n, 1), -1.0 / (d + 4)) * range,
                                range / std::min(100.0, 1.0 + n_kernels), range);
      const double normalizer = log_gauss_mass((dim.low - mu) / sigma, (dim.high - mu) / sigma);
      if (dim.kind == DimensionKind::kContinuous) {
        const double z = (x(j) - mu) / sigma;
        t += -0.5 * z * z - 0.5 * std::log(2 * std::numbers::pi) - normalizer -
             (normalized ? std::log(sigma) : 0.0);
      } else {
        const double lo = std::max(x(j) - 0.5 * dim.step, dim.low);
        const double hi = std::min(x(j) + 0.5 * dim.step, dim.high);
        t += log_gauss_mass((lo - mu) / sigma, (hi - mu) / sigma) - normalizer;
      }
    }
    terms.push_back(t);
  }
  return log_sum_exp(terms);
}

// The multivariate fast paths (continuous masses multiplied over dimensions, discrete masses
// gathered by cell, the vectorized exponentials, blocks of kernels) against the plain sum, for a
// study growing through several sizes (so the bandwidth changes), with and without the prior.
TEST(ParzenEstimatorTest, MultivariateMixedSpaceMatchesThePlainSumAsTheStudyGrows) {
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::vector<ParzenDimension> dims = wide_mixed_dimensions();
  const int d = static_cast<int>(dims.size());
  Eigen::MatrixXd all(602, d);
  for (int r = 0; r < all.rows(); ++r) {
    for (int j = 0; j < d; ++j) {
      const ParzenDimension& dim = dims[j];
      switch (dim.kind) {
        case DimensionKind::kContinuous:
          all(r, j) = dim.low + (dim.high - dim.low) * u(rng);
          break;
        case DimensionKind::kDiscrete:
          all(r, j) = dim.low + dim.step * (0.5 + std::floor(u(rng) * (dim.high - dim.low)));
          break;
        case DimensionKind::kCategorical:
          all(r, j) = std::floor(dim.n_choices * u(rng));
          break;
      }
    }
  }
  for (bool prior : {true, false}) {
    for (bool normalized : {true, false}) {
      for (int n : {1, 2, 30, 255, 256, 600, 601, 602}) {
        const Eigen::MatrixXd obs = all.topRows(n);
        Eigen::VectorXd w(n);
        for (int r = 0; r < n; ++r) w(r) = 0.05 + u(rng);
        ParzenEstimatorOptions options;
        options.multivariate = true;
        options.consider_prior = prior;
        options.normalized_kernels = normalized;
        const ParzenEstimator pe(dims, obs, w, options);
        Eigen::MatrixXd s;
        pe.sample(rng, 30, s);
        for (int i = 0; i < s.rows(); ++i) {
          for (int j : {3, 4}) s(i, j) = std::round(s(i, j));
        }
        s.row(0) << 0.0, dims[1].high, -5.0, 1, 16, 0;  // on the bounds
        s(1, 3) = 3.3;  // off the grid: the exact cell mass of [2.8, 3.8]
        s(2, 4) = 200.25;
        Eigen::VectorXd lp;
        pe.log_pdf(s, lp);
        for (int i = 0; i < s.rows(); ++i) {
          const double expected = reference_log_pdf(dims, obs, w, prior, normalized, s.row(i));
          EXPECT_NEAR(lp(i), expected, 1e-12 * (1.0 + std::abs(expected)))
              << "prior " << prior << " normalized " << normalized << " n " << n << " i " << i;
        }
      }
    }
  }
}

TEST(ParzenEstimatorTest, OneCategoricalDimensionIsTheWeightedMixtureOfChoices) {
  std::vector<ParzenDimension> dims(1);
  dims[0].kind = DimensionKind::kCategorical;
  dims[0].n_choices = 4;
  std::mt19937_64 rng(13);
  const int n = 300;
  Eigen::MatrixXd obs(n, 1);
  Eigen::VectorXd w(n);
  for (int r = 0; r < n; ++r) {
    obs(r, 0) = static_cast<double>(rng() % 3);  // choice 3 never observed
    w(r) = 0.5 + (r % 7);
  }
  ParzenEstimator pe(dims, obs, w, {});
  Eigen::MatrixXd s(6, 1);
  s << 0, 1, 2, 3, 1, 0;
  Eigen::VectorXd lp;
  pe.log_pdf(s, lp);
  const Eigen::ArrayXd weights = pe.weights();
  const Eigen::ArrayXXd p = pe.categorical_probabilities(0);
  for (int i = 0; i < s.rows(); ++i) {
    double sum = 0.0;
    for (int k = 0; k < pe.n_kernels(); ++k) sum += weights(k) * p(static_cast<int>(s(i, 0)), k);
    EXPECT_NEAR(lp(i), std::log(sum), 1e-12) << i;
  }
}

// Observations given in order of value (as the sampler passes the "above" ones) take a path
// without sorting: the estimator must be the same as for any other order.
TEST(ParzenEstimatorTest, SortedObservationsGiveTheSameEstimator) {
  std::vector<ParzenDimension> dims(1);
  dims[0].kind = DimensionKind::kDiscrete;
  dims[0].low = 0.5;
  dims[0].high = 20.5;
  dims[0].step = 1.0;
  std::mt19937_64 rng(17);
  const int n = 500;
  std::vector<std::pair<double, int>> keyed(n);
  Eigen::MatrixXd obs(n, 1);
  Eigen::VectorXd w(n);
  for (int r = 0; r < n; ++r) {
    obs(r, 0) = 1.0 + static_cast<double>(rng() % 20);  // many ties, the prior's centre too
    w(r) = 0.1 + static_cast<double>(r) / n;
    keyed[r] = {obs(r, 0), r};
  }
  std::sort(keyed.begin(), keyed.end());
  Eigen::MatrixXd sorted_obs(n, 1);
  Eigen::VectorXd sorted_w(n);
  for (int i = 0; i < n; ++i) {
    sorted_obs(i, 0) = keyed[i].first;
    sorted_w(i) = w(keyed[i].second);
  }
  ParzenEstimator pe(dims, obs, w, {});
  ParzenEstimator sorted_pe(dims, sorted_obs, sorted_w, {});
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(sorted_pe.sigmas(0)(i), pe.sigmas(0)(keyed[i].second)) << i;
  }
  EXPECT_EQ(sorted_pe.sigmas(0)(n), pe.sigmas(0)(n));  // the prior
  Eigen::MatrixXd s(20, 1);
  for (int i = 0; i < 20; ++i) s(i, 0) = 1.0 + i;
  Eigen::VectorXd lp, sorted_lp;
  pe.log_pdf(s, lp);
  sorted_pe.log_pdf(s, sorted_lp);
  for (int i = 0; i < 20; ++i) EXPECT_NEAR(sorted_lp(i), lp(i), 1e-12 * std::abs(lp(i))) << i;
}

// A grid point's cell, against the plain definition with std::round: on the points, next to them
// (within and beyond the 1e-9 tolerance), at halves between them, outside the support, far away
// and NaN.
TEST(ParzenDimensionTest, CellOfMatchesRoundingToTheNearestCentre) {
  ParzenDimension dim;
  dim.kind = DimensionKind::kDiscrete;
  dim.step = 0.25;
  dim.low = -3.0 - 0.5 * dim.step;
  dim.high = 5.0 + 0.5 * dim.step;
  auto reference = [&](double x) {
    const double cell = (x - dim.low) / dim.step - 0.5;
    const double rounded = std::round(cell);
    const double n_cells = std::round((dim.high - dim.low) / dim.step);
    if (std::isnan(cell) || std::abs(cell - rounded) > 1e-9 || rounded < 0 || rounded >= n_cells) {
      return -1;
    }
    return static_cast<int>(rounded);
  };
  std::vector<double> xs = {std::nan(""), 1e300, -1e300, 1e17, -1e17};
  for (int i = -8; i <= 40; ++i) {
    const double x = -3.0 + i * dim.step;
    for (const double offset : {0.0, 1e-12, -1e-12, 1e-8, 0.5 * dim.step, -0.5 * dim.step}) {
      xs.push_back(x + offset);
    }
  }
  int on_grid = 0;
  for (const double x : xs) {
    EXPECT_EQ(dim.cell_of(x), reference(x)) << x;
    on_grid += dim.cell_of(x) >= 0 ? 1 : 0;
  }
  EXPECT_EQ(on_grid, 33 * 3);  // 33 points, each exactly and within 1e-12 on both sides
}

}  // namespace
}  // namespace hpo::tpe
