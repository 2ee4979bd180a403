// Multivariate log_pdf's fast path (parzen_shared_width.h) on both of its SIMD loops against the
// plain sum over kernels of weight times the product of per-dimension densities.
#include "samplers/tpe/parzen_shared_width.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

// Three continuous dimensions, a small, a large and a half-step grid, and two categorical ones.
std::vector<ParzenDimension> space() {
  std::vector<ParzenDimension> dims(8);
  dims[0] = {DimensionKind::kContinuous, 0.0, 1.0, 0.0, 0};
  dims[1] = {DimensionKind::kContinuous, std::log(1e-3), 0.0, 0.0, 0};
  dims[2] = {DimensionKind::kContinuous, -5.0, 5.0, 0.0, 0};
  dims[3] = {DimensionKind::kDiscrete, 0.5, 8.5, 1.0, 0};
  dims[4] = {DimensionKind::kDiscrete, 15.5, 512.5, 1.0, 0};
  dims[5] = {DimensionKind::kCategorical, 0.0, 1.0, 0.0, 4};
  dims[6] = {DimensionKind::kDiscrete, -0.25, 1.25, 0.5, 0};
  dims[7] = {DimensionKind::kCategorical, 0.0, 1.0, 0.0, 2};
  return dims;
}

double log_sum_exp(const std::vector<double>& terms) {
  const double m = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(m)) return m;
  double sum = 0.0;
  for (double t : terms) sum += std::exp(t - m);
  return m + std::log(sum);
}

// The log density at x, kernel by kernel, from the estimator's kernel parameters: every
// normalizer and cell mass from log_gauss_mass.
double reference(const ParzenEstimator& pe, const std::vector<ParzenDimension>& dims,
                 bool normalized, const Eigen::RowVectorXd& x) {
  const Eigen::ArrayXd weights = pe.weights();
  std::vector<Eigen::ArrayXXd> categorical(dims.size());
  for (size_t j = 0; j < dims.size(); ++j) {
    if (dims[j].kind == DimensionKind::kCategorical) {
      categorical[j] = pe.categorical_probabilities(static_cast<int>(j));
    }
  }
  std::vector<double> terms;
  for (int k = 0; k < pe.n_kernels(); ++k) {
    double t = std::log(weights(k));
    for (size_t j = 0; j < dims.size(); ++j) {
      const ParzenDimension& dim = dims[j];
      if (dim.kind == DimensionKind::kCategorical) {
        t += std::log(categorical[j](static_cast<int>(x(j)), k));
        continue;
      }
      const double mu = pe.mus(static_cast<int>(j))(k), sigma = pe.sigmas(static_cast<int>(j))(k);
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

double grid_value(const ParzenDimension& dim, double u) {
  const double n_cells = std::round((dim.high - dim.low) / dim.step);
  return dim.low + dim.step * (0.5 + std::floor(u * n_cells));
}

// n observations: continuous values clustered in the lower fifth of dimension 2 (so that
// samples at its top are in every kernel's far tail), a few zero weights, and with `off_grid`
// some discrete values between grid points (kernels the fast path leaves to the exact terms).
void observations(std::mt19937_64& rng, const std::vector<ParzenDimension>& dims, int n,
                  bool off_grid, Eigen::MatrixXd& obs, Eigen::VectorXd& w) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  obs.resize(n, static_cast<Eigen::Index>(dims.size()));
  w.resize(n);
  for (int r = 0; r < n; ++r) {
    for (size_t j = 0; j < dims.size(); ++j) {
      const ParzenDimension& dim = dims[j];
      switch (dim.kind) {
        case DimensionKind::kContinuous:
          obs(r, j) = dim.low + (dim.high - dim.low) * (j == 2 ? 0.2 * u(rng) : u(rng));
          break;
        case DimensionKind::kDiscrete:
          obs(r, j) = grid_value(dim, u(rng));
          if (off_grid && r % 7 == 3) obs(r, j) = std::min(obs(r, j) + 0.3 * dim.step, dim.high);
          break;
        case DimensionKind::kCategorical:
          obs(r, j) = std::floor(dim.n_choices * u(rng));
          break;
      }
    }
    w(r) = r % 11 == 5 ? 0.0 : 0.05 + u(rng);
  }
  w(0) = 1.0;  // never all zero
}

// Samples from the estimator on the grids, plus bounds, far tails and a value off a grid.
Eigen::MatrixXd samples(std::mt19937_64& rng, const ParzenEstimator& pe,
                        const std::vector<ParzenDimension>& dims, int n_samples) {
  Eigen::MatrixXd s;
  pe.sample(rng, n_samples, s);
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    for (size_t j = 0; j < dims.size(); ++j) {
      const ParzenDimension& dim = dims[j];
      if (dim.kind == DimensionKind::kDiscrete) {
        const double last = std::round((dim.high - dim.low) / dim.step) - 1;
        const double cell = std::min(std::floor((s(i, j) - dim.low) / dim.step), last);
        s(i, j) = dim.low + dim.step * (0.5 + cell);
      }
    }
  }
  if (n_samples >= 3) {
    s.row(0) << 0.0, dims[1].high, 5.0, 8, 512, 3, 1.0, 1;  // bounds, far tail of dimension 2
    s.row(1) << 1.0, dims[1].low, -5.0, 1, 16, 0, 0.0, 0;
    s(2, 3) = 3.3;  // off the grid: the exact mass of [2.8, 3.8]
    s(2, 4) = 200.25;
  }
  return s;
}

TEST(ParzenSharedWidthTest, BothPathsMatchThePlainSumOverKernels) {
  const std::vector<ParzenDimension> dims = space();
  std::vector<LogPdfPath> paths = {LogPdfPath::kPortable};
  if (log_pdf_path_available(LogPdfPath::kAvx2Fma)) paths.push_back(LogPdfPath::kAvx2Fma);
  std::mt19937_64 rng(7);
  int fast = 0;
  for (bool prior : {true, false}) {
    for (bool normalized : {true, false}) {
      for (bool off_grid : {false, true}) {
        for (int n : {1, 2, 9, 30, 255, 256, 257, 601, 1003}) {
          Eigen::MatrixXd obs;
          Eigen::VectorXd w;
          observations(rng, dims, n, off_grid, obs, w);
          ParzenEstimatorOptions options;
          options.multivariate = true;
          options.consider_prior = prior;
          options.normalized_kernels = normalized;
          const ParzenEstimator pe(dims, obs, w, options);
          if (n >= 30) {
            EXPECT_TRUE(pe.uses_shared_widths()) << n;
          }
          fast += pe.uses_shared_widths() ? 1 : 0;
          for (int n_samples : {1, 5, 13}) {
            const Eigen::MatrixXd s = samples(rng, pe, dims, n_samples);
            for (LogPdfPath path : paths) {
              Eigen::VectorXd lp;
              pe.log_pdf(s, lp, path);
              ASSERT_EQ(lp.size(), n_samples);
              for (int i = 0; i < n_samples; ++i) {
                const double expected = reference(pe, dims, normalized, s.row(i));
                EXPECT_NEAR(lp(i), expected, 1e-12 * (1.0 + std::abs(expected)))
                    << "path " << static_cast<int>(path) << " prior " << prior << " normalized "
                    << normalized << " off_grid " << off_grid << " n " << n << " i " << i;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GE(fast, 40);
}

// Only continuous dimensions, and only gathered ones: the loops with no centre dimension or no
// table.
TEST(ParzenSharedWidthTest, ContinuousOnlyAndGatheredOnlySpaces) {
  const std::vector<ParzenDimension> all = space();
  const std::vector<std::vector<ParzenDimension>> spaces = {
      {all[0], all[1], all[2]}, {all[3], all[4], all[5]}, {all[2], all[7]}};
  std::mt19937_64 rng(11);
  for (const std::vector<ParzenDimension>& dims : spaces) {
    Eigen::MatrixXd obs;
    Eigen::VectorXd w;
    observations(rng, dims, 300, false, obs, w);
    ParzenEstimatorOptions options;
    options.multivariate = true;
    const ParzenEstimator pe(dims, obs, w, options);
    EXPECT_TRUE(pe.uses_shared_widths());
    Eigen::MatrixXd s;
    pe.sample(rng, 11, s);
    for (size_t j = 0; j < dims.size(); ++j) {
      if (dims[j].kind != DimensionKind::kDiscrete) continue;
      for (Eigen::Index i = 0; i < s.rows(); ++i) {
        s(i, j) = std::clamp(std::round(s(i, j)), dims[j].low + 0.5, dims[j].high - 0.5);
      }
    }
    for (LogPdfPath path : {LogPdfPath::kPortable, LogPdfPath::kAvx2Fma}) {
      if (!log_pdf_path_available(path)) continue;
      Eigen::VectorXd lp;
      pe.log_pdf(s, lp, path);
      for (Eigen::Index i = 0; i < s.rows(); ++i) {
        const double expected = reference(pe, dims, true, s.row(i));
        EXPECT_NEAR(lp(i), expected, 1e-12 * (1.0 + std::abs(expected)))
            << dims.size() << " dims, path " << static_cast<int>(path) << " i " << i;
      }
    }
  }
}

// log_pdf is const and keeps its scratch per call: threads sharing one estimator get the very
// values of a lone call.
TEST(ParzenSharedWidthTest, ConcurrentCallsGiveTheSameValues) {
  const std::vector<ParzenDimension> dims = space();
  std::mt19937_64 rng(5);
  Eigen::MatrixXd obs;
  Eigen::VectorXd w;
  observations(rng, dims, 2000, true, obs, w);
  ParzenEstimatorOptions options;
  options.multivariate = true;
  const ParzenEstimator pe(dims, obs, w, options);
  ASSERT_TRUE(pe.uses_shared_widths());
  const Eigen::MatrixXd s = samples(rng, pe, dims, 24);
  Eigen::VectorXd expected;
  pe.log_pdf(s, expected);
  std::vector<Eigen::VectorXd> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < 5; ++r) pe.log_pdf(s, got[t]);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Eigen::VectorXd& g : got) {
    ASSERT_EQ(g.size(), expected.size());
    for (Eigen::Index i = 0; i < g.size(); ++i) EXPECT_EQ(g(i), expected(i)) << i;
  }
}

// The path is chosen once per process: the best this CPU has, and always one it has.
TEST(ParzenSharedWidthTest, BestPathIsAvailable) {
  EXPECT_TRUE(log_pdf_path_available(LogPdfPath::kPortable));
  EXPECT_TRUE(log_pdf_path_available(best_log_pdf_path()));
  if (log_pdf_path_available(LogPdfPath::kAvx2Fma)) {
    EXPECT_EQ(best_log_pdf_path(), LogPdfPath::kAvx2Fma);
  }
  EXPECT_EQ(log_pdf_lanes(LogPdfPath::kPortable), 4);
}

}  // namespace
}  // namespace hpo::tpe
