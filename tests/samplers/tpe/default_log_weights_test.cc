// The kept logs of TPE's default weights against the logs of tpe_default_weights, through a
// study that grows (the tables kept) and jumps (made again).
#include "samplers/tpe/default_log_weights.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "samplers/tpe/tpe_sampler.h"

namespace hpo::tpe {
namespace {

void expect_logs_of_default_weights(DefaultLogWeights& kept, int n) {
  Eigen::ArrayXd logs;
  const double total = kept.get(n, logs);
  const std::vector<double> w = tpe_default_weights(n);
  ASSERT_EQ(logs.size(), n);
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    EXPECT_NEAR(logs(i), std::log(w[i]), 1e-13) << "n " << n << " i " << i;
    sum += w[i];
  }
  EXPECT_NEAR(total, sum, 1e-12 * sum) << n;
}

TEST(DefaultLogWeightsTest, EqualTheLogsOfTheDefaultWeightsAsAStudyGrows) {
  DefaultLogWeights kept;
  for (int n = 0; n <= 400; ++n) expect_logs_of_default_weights(kept, n);
  for (int n = 9000; n <= 9600; n += 3) expect_logs_of_default_weights(kept, n);
  // Back to a smaller study, and a much larger one.
  expect_logs_of_default_weights(kept, 1000);
  expect_logs_of_default_weights(kept, 50000);
}

}  // namespace
}  // namespace hpo::tpe
