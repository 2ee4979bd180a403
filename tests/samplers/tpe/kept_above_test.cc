// The kept "above" estimator against a ParzenEstimator built afresh from the same rows, through
// a sequence of trials joining and leaving it.
#include "samplers/tpe/kept_above.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "samplers/tpe/kept_mass_cache.h"
#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/tpe_sampler.h"

namespace hpo::tpe {
namespace {

// Three continuous dimensions (a small, a log-like and a large range), two grids and a
// categorical.
std::vector<ParzenDimension> space() {
  std::vector<ParzenDimension> dims(6);
  dims[0] = {DimensionKind::kContinuous, 0.0, 1.0, 0.0, 0};
  dims[1] = {DimensionKind::kContinuous, std::log(1e-5), std::log(1e-1), 0.0, 0};
  dims[2] = {DimensionKind::kContinuous, -5.0, 5.0, 0.0, 0};
  dims[3] = {DimensionKind::kDiscrete, 0.5, 8.5, 1.0, 0};
  dims[4] = {DimensionKind::kDiscrete, 15.5, 512.5, 1.0, 0};
  dims[5] = {DimensionKind::kCategorical, 0.0, 1.0, 0.0, 3};
  return dims;
}

// A point of the space: continuous values anywhere, grid values on the grid.
std::vector<double> random_point(const std::vector<ParzenDimension>& dims, std::mt19937_64& rng) {
  std::vector<double> x;
  for (const ParzenDimension& dim : dims) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    switch (dim.kind) {
      case DimensionKind::kContinuous:
        x.push_back(dim.low + (dim.high - dim.low) * u(rng));
        break;
      case DimensionKind::kDiscrete: {
        const int cells = static_cast<int>(std::round((dim.high - dim.low) / dim.step));
        x.push_back(dim.low + (std::uniform_int_distribution<int>(0, cells - 1)(rng) + 0.5) *
                                  dim.step);
        break;
      }
      case DimensionKind::kCategorical:
        x.push_back(std::uniform_int_distribution<int>(0, dim.n_choices - 1)(rng));
        break;
    }
  }
  return x;
}

Eigen::MatrixXd matrix_of(const std::vector<std::vector<double>>& rows) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()),
                    static_cast<Eigen::Index>(rows.empty() ? 0 : rows[0].size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t j = 0; j < rows[r].size(); ++j) {
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = rows[r][j];
    }
  }
  return m;
}

Eigen::VectorXd default_weights(int n) {
  const std::vector<double> w = tpe_default_weights(n);
  return Eigen::Map<const Eigen::VectorXd>(w.data(), n);
}

ParzenEstimatorOptions multivariate() {
  ParzenEstimatorOptions options;
  options.multivariate = true;
  return options;
}

// The rows (by trial number) the test moves in and out, and the kept estimator following them.
struct Follower {
  std::vector<ParzenDimension> dims = space();
  std::map<int, std::vector<double>> rows;
  KeptAboveEstimator kept{dims, multivariate()};

  std::vector<int> numbers() const {
    std::vector<int> out;
    for (const auto& [number, row] : rows) out.push_back(number);
    return out;
  }
  Eigen::MatrixXd observations() const {
    std::vector<std::vector<double>> m;
    for (const auto& [number, row] : rows) m.push_back(row);
    return matrix_of(m);
  }
  bool move(const std::vector<int>& left, const std::map<int, std::vector<double>>& joined) {
    std::vector<int> joined_numbers;
    std::vector<std::vector<double>> joined_rows;
    for (int number : left) rows.erase(number);
    for (const auto& [number, row] : joined) {
      rows[number] = row;
      joined_numbers.push_back(number);
      joined_rows.push_back(row);
    }
    const std::vector<int> all = numbers();
    const Eigen::VectorXd weights = default_weights(static_cast<int>(all.size()));
    return kept.update(all, joined_numbers, matrix_of(joined_rows), left, weights.array().log(),
                       weights.sum());
  }
  // Trials 0..n-1 at random points join an empty estimator.
  bool fill(int n, std::mt19937_64& rng) {
    std::map<int, std::vector<double>> first;
    for (int number = 0; number < n; ++number) first[number] = random_point(dims, rng);
    return move({}, first);
  }
};

TEST(KeptAboveTest, FollowsJoiningAndLeavingTrialsAsAFreshEstimator) {
  std::mt19937_64 rng(5);
  Follower f;
  std::map<int, std::vector<double>> first;
  for (int number = 0; number < 600; number += 2) first[number] = random_point(f.dims, rng);
  ASSERT_TRUE(f.move({}, first));
  int next_number = 600;
  double largest_bound = 0.0;
  for (int step = 0; step < 60; ++step) {
    // One or two leave (any of them), one or two join: a new trial, or an older number (a trial
    // pushed back from the below side).
    std::vector<int> left;
    const int n_left = std::uniform_int_distribution<int>(0, 2)(rng);
    for (int i = 0; i < n_left; ++i) {
      const std::vector<int> numbers = f.numbers();
      const int number =
          numbers[std::uniform_int_distribution<size_t>(0, numbers.size() - 1)(rng)];
      if (std::find(left.begin(), left.end(), number) == left.end()) left.push_back(number);
    }
    std::map<int, std::vector<double>> joined;
    joined[next_number++] = random_point(f.dims, rng);
    if (step % 3 == 0) joined[2 * step + 1] = random_point(f.dims, rng);  // an odd, older one
    ASSERT_TRUE(f.move(left, joined)) << step;

    const int n = static_cast<int>(f.rows.size());
    ASSERT_EQ(f.kept.n_kernels(), n + 1);
    const ParzenEstimator fresh(f.dims, f.observations(), default_weights(n), multivariate());
    std::vector<std::vector<double>> samples;
    for (int i = 0; i < 20; ++i) samples.push_back(random_point(f.dims, rng));
    Eigen::VectorXd kept_log_pdf, fresh_log_pdf;
    f.kept.log_pdf(matrix_of(samples), kept_log_pdf);
    fresh.log_pdf(matrix_of(samples), fresh_log_pdf);
    const double bound = f.kept.log_pdf_error_bound();
    EXPECT_GE(bound, KeptAboveEstimator::kRoundingAllowance);
    EXPECT_LE(bound, KeptMassCache::kMaxDrift + KeptAboveEstimator::kRoundingAllowance);
    largest_bound = std::max(largest_bound, bound);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(std::isfinite(fresh_log_pdf(i)));
      EXPECT_NEAR(kept_log_pdf(i), fresh_log_pdf(i), bound) << "step " << step << " sample " << i;
    }
    // The rows it keeps are the rows it was given, bit for bit.
    EXPECT_EQ(f.kept.observations(f.numbers()), f.observations()) << step;
  }
  // The masses were computed at older widths at some point: the bound was exercised.
  EXPECT_GT(largest_bound, 10 * KeptAboveEstimator::kRoundingAllowance);
}

TEST(KeptAboveTest, ACopyChangesIndependently) {
  std::mt19937_64 rng(6);
  Follower f;
  ASSERT_TRUE(f.fill(300, rng));
  const Eigen::MatrixXd samples = matrix_of({random_point(f.dims, rng), random_point(f.dims, rng)});
  Eigen::VectorXd before, after;
  f.kept.log_pdf(samples, before);
  const KeptAboveEstimator copy = f.kept;
  ASSERT_TRUE(f.move({0, 1, 2}, {{300, random_point(f.dims, rng)}}));
  copy.log_pdf(samples, after);
  EXPECT_EQ(before, after);
  f.kept.log_pdf(samples, after);
  EXPECT_NE(before, after);
}

TEST(KeptAboveTest, DeclinesARowOffTheGrid) {
  std::mt19937_64 rng(7);
  Follower f;
  ASSERT_TRUE(f.fill(300, rng));
  std::vector<double> off = random_point(f.dims, rng);
  off[3] = 2.5;  // between the grid points 2 and 3 of [0.5, 8.5] in steps of 1
  EXPECT_FALSE(f.move({}, {{300, off}}));
}

TEST(KeptAboveTest, DeclinesChangesThatDoNotFitItsKernels) {
  std::mt19937_64 rng(8);
  for (bool joins_twice : {false, true}) {
    Follower f;
    ASSERT_TRUE(f.fill(300, rng));
    // A trial leaving that is no kernel, or one joining that is one already.
    if (joins_twice) {
      EXPECT_FALSE(f.kept.update(f.numbers(), {5}, matrix_of({random_point(f.dims, rng)}), {},
                                 default_weights(300).array().log(), default_weights(300).sum()));
    } else {
      EXPECT_FALSE(f.move({400}, {}));
    }
  }
}

TEST(KeptAboveTest, SupportsMultivariateSpacesOfSmallGrids) {
  ParzenEstimatorOptions univariate;
  EXPECT_FALSE(KeptAboveEstimator::supports(space(), univariate));
  EXPECT_TRUE(KeptAboveEstimator::supports(space(), multivariate()));
  std::vector<ParzenDimension> one = {space()[0]};
  EXPECT_FALSE(KeptAboveEstimator::supports(one, multivariate()));
  std::vector<ParzenDimension> wide = space();
  wide[4] = {DimensionKind::kDiscrete, -0.5, 1e6 + 0.5, 1.0, 0};
  EXPECT_FALSE(KeptAboveEstimator::supports(wide, multivariate()));
}

}  // namespace
}  // namespace hpo::tpe
