// The store of kept "above" estimators: following splits by their ids, declining what it cannot
// follow, and never changing an estimator an ask still scores with.
#include "samplers/tpe/kept_above_store.h"

#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace hpo::tpe {
namespace {

std::vector<ParzenDimension> space() {
  return {{DimensionKind::kContinuous, 0.0, 1.0, 0.0, 0},
          {DimensionKind::kDiscrete, 0.5, 10.5, 1.0, 0},
          {DimensionKind::kCategorical, 0.0, 1.0, 0.0, 3}};
}

ParzenEstimatorOptions multivariate() {
  ParzenEstimatorOptions options;
  options.multivariate = true;
  return options;
}

Eigen::RowVector3d random_row(std::mt19937_64& rng) {
  return {std::uniform_real_distribution<double>(0.0, 1.0)(rng),
          1.0 + std::uniform_int_distribution<int>(0, 9)(rng),
          static_cast<double>(std::uniform_int_distribution<int>(0, 2)(rng))};
}

// A split as StudyCache::joint_split gives it: rows 0..n-1 gathered afresh.
JointSplit fresh_split(uint64_t id, int n, std::mt19937_64& rng) {
  JointSplit split;
  split.ok = split.started = true;
  split.above_id = id;
  auto numbers = std::make_shared<std::vector<int>>();
  auto x = std::make_shared<Eigen::MatrixXd>(n, 3);
  for (int r = 0; r < n; ++r) {
    numbers->push_back(r);
    x->row(r) = random_row(rng);
  }
  split.above_numbers = numbers;
  split.x_above = x;
  return split;
}

// The split after `parent`: trial `joined` joined, `left` left, no matrix.
JointSplit next_split(const JointSplit& parent, uint64_t id, int joined, int left,
                      std::mt19937_64& rng) {
  JointSplit split = parent;
  split.x_above = nullptr;
  split.above_id = id;
  split.above_parent_id = parent.above_id;
  auto numbers = std::make_shared<std::vector<int>>();
  for (int number : *parent.above_numbers) {
    if (number != left) numbers->push_back(number);
  }
  numbers->push_back(joined);
  split.above_numbers = numbers;
  split.above_joined = std::make_shared<std::vector<int>>(1, joined);
  split.above_left = std::make_shared<std::vector<int>>(1, left);
  split.above_joined_rows = std::make_shared<Eigen::MatrixXd>(random_row(rng));
  return split;
}

Eigen::MatrixXd samples() {
  Eigen::MatrixXd x(2, 3);
  x << 0.25, 3.0, 1.0, 0.75, 8.0, 2.0;
  return x;
}

TEST(KeptAboveStoreTest, FollowsSplitsByTheirParentIds) {
  std::mt19937_64 rng(1);
  KeptAboveStore store;
  const JointSplit first = fresh_split(1, 300, rng);
  const KeptAboveEstimator* kept = nullptr;
  {
    const KeptAboveStore::Use use = store.get(7, first, space(), multivariate());
    ASSERT_TRUE(use);
    EXPECT_EQ(use->n_kernels(), 301);
    kept = &*use;
  }
  EXPECT_TRUE(store.holds(7));
  EXPECT_FALSE(store.holds(8));
  const JointSplit second = next_split(first, 2, 300, 5, rng);
  {
    const KeptAboveStore::Use use = store.get(7, second, space(), multivariate());
    ASSERT_TRUE(use);
    EXPECT_EQ(&*use, kept);  // changed in place: nobody else held it
    EXPECT_EQ(use->observations(*second.above_numbers).row(299),
              second.above_joined_rows->row(0));
  }
  // A split it cannot follow (another parent) and no matrix: empty, for the caller to ask for
  // the matrix. Another param list has nothing kept.
  const JointSplit stranger = next_split(fresh_split(3, 300, rng), 4, 300, 6, rng);
  EXPECT_FALSE(store.get(7, stranger, space(), multivariate()));
  EXPECT_FALSE(store.get(8, second, space(), multivariate()));
}

TEST(KeptAboveStoreTest, NeverChangesAnEstimatorAnAskStillHolds) {
  std::mt19937_64 rng(2);
  KeptAboveStore store;
  const JointSplit first = fresh_split(1, 300, rng);
  const KeptAboveStore::Use held = store.get(7, first, space(), multivariate());
  ASSERT_TRUE(held);
  Eigen::VectorXd before, after;
  held->log_pdf(samples(), before);

  const JointSplit second = next_split(first, 2, 300, 5, rng);
  const KeptAboveStore::Use other = store.get(7, second, space(), multivariate());
  ASSERT_TRUE(other);
  EXPECT_NE(&*other, &*held);
  held->log_pdf(samples(), after);
  EXPECT_EQ(before, after);
  other->log_pdf(samples(), after);
  EXPECT_NE(before, after);
}

}  // namespace
}  // namespace hpo::tpe
