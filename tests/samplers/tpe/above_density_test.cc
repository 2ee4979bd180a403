#include "samplers/tpe/above_density.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "samplers/tpe/parzen_estimator.h"
#include "samplers/tpe/tpe_sampler.h"

namespace hpo::tpe {
namespace {

ParzenDimension continuous(double low, double high) {
  ParzenDimension d;
  d.low = low;
  d.high = high;
  return d;
}

ParzenDimension discrete(double low, double high, double step) {
  ParzenDimension d;
  d.kind = DimensionKind::kDiscrete;
  d.step = step;
  d.low = low - 0.5 * step;
  d.high = high + 0.5 * step;
  return d;
}

ParzenDimension categorical(int n) {
  ParzenDimension d;
  d.kind = DimensionKind::kCategorical;
  d.n_choices = n;
  return d;
}

// A value of the dimension: uniform, or (clustered) near a few centres as a study's are.
double draw(const ParzenDimension& dim, std::mt19937_64& rng, bool clustered) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (dim.kind == DimensionKind::kCategorical) {
    return std::floor(u(rng) * dim.n_choices);
  }
  double x = dim.low + u(rng) * (dim.high - dim.low);
  if (clustered && u(rng) < 0.8) {
    std::normal_distribution<double> near(dim.low + 0.3 * (dim.high - dim.low),
                                          0.02 * (dim.high - dim.low));
    x = std::clamp(near(rng), dim.low, dim.high);
  }
  if (dim.kind == DimensionKind::kDiscrete) {
    const double cell = std::min(std::floor((x - dim.low) / dim.step),
                                 std::round((dim.high - dim.low) / dim.step) - 1);
    x = dim.low + (cell + 0.5) * dim.step;
  }
  return x;
}

// ParzenEstimator over the same members, in trial-number order, with Optuna's default weights:
// what univariate TPE builds from scratch.
void reference_log_pdf(const ParzenDimension& dim, const ParzenEstimatorOptions& options,
                       const std::vector<AboveDensity::Member>& members,
                       const Eigen::MatrixXd& samples, Eigen::VectorXd& out) {
  Eigen::MatrixXd obs(static_cast<Eigen::Index>(members.size()), 1);
  for (size_t i = 0; i < members.size(); ++i) {
    obs(static_cast<Eigen::Index>(i), 0) = members[i].value;
  }
  const std::vector<double> w = tpe_default_weights(static_cast<int>(members.size()));
  const Eigen::VectorXd weights =
      Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  ParzenEstimator(std::vector<ParzenDimension>{dim}, obs, weights, options)
      .log_pdf(samples, out);
}

struct Case {
  ParzenDimension dim;
  bool normalized;
  bool clustered;
};

class AboveDensityTest : public ::testing::TestWithParam<Case> {};

// Grows an estimator through a study's kind of history (mostly one new trial at a time, now and
// then a trial leaving, an old one coming back or several at once, trials moving to and from the
// below set as ghosts) and compares it with a fresh ParzenEstimator after every update, from a
// handful of kernels to past the point where boxes take over (300) and the ramp weights matter
// (25). Ghosts change no value: the reference knows only the members.
TEST_P(AboveDensityTest, MatchesAFreshParzenEstimatorThroughUpdates) {
  const Case c = GetParam();
  ParzenEstimatorOptions options;
  options.normalized_kernels = c.normalized;
  AboveDensity above(c.dim, options);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<AboveDensity::Member> left_out;  // trials that left, to come back later
  std::vector<AboveDensity::Member> ghosts;    // below trials, which may come back at their place
  int next_number = 0;
  for (int step = 0; step < 900; ++step) {
    std::vector<AboveDensity::Member> added;
    std::vector<int> removed, ghosts_added, ghosts_removed;
    const double r = u(rng);
    const double g = u(rng);
    if (g < 0.15 && above.n_members() > 3) {
      // A member joins the below set (a ghost), and as often an old ghost rejoins the above set
      // or a new trial goes straight to the below set.
      const std::vector<AboveDensity::Member> now = above.members();
      const AboveDensity::Member m = now[static_cast<size_t>(u(rng) * now.size())];
      removed.push_back(m.number);
      ghosts_added.push_back(m.number);
      ghosts.push_back(m);
      if (ghosts.size() > 1 && u(rng) < 0.5) {
        const size_t i = static_cast<size_t>(u(rng) * (ghosts.size() - 1));  // not m
        ghosts_removed.push_back(ghosts[i].number);
        added.push_back(ghosts[i]);
        ghosts.erase(ghosts.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        const AboveDensity::Member fresh{next_number++, draw(c.dim, rng, c.clustered)};
        ghosts_added.push_back(fresh.number);
        ghosts.push_back(fresh);
      }
      if (ghosts.size() > 30) {  // a ghost that leaves for good (its trial no longer counts)
        ghosts_removed.push_back(ghosts.front().number);
        ghosts.erase(ghosts.begin());
      }
    } else if (r < 0.05 && above.n_members() > 3) {
      // A trial leaves (it joined the below set, or a running one failed).
      const std::vector<AboveDensity::Member> now = above.members();
      const AboveDensity::Member m = now[static_cast<size_t>(u(rng) * now.size())];
      removed.push_back(m.number);
      left_out.push_back(m);
    } else if (r < 0.09 && !left_out.empty()) {
      added.push_back(left_out.back());  // comes back in the middle of the order
      left_out.pop_back();
    } else {
      const int n = r < 0.12 ? 5 : 1;
      for (int i = 0; i < n; ++i) added.push_back({next_number++, draw(c.dim, rng, c.clustered)});
      if (step % 3 == 0) ++next_number;  // a trial without this param
    }
    above.update(added, removed, ghosts_added, ghosts_removed);
    if (step % 7 != 0 && step < 890) continue;
    Eigen::MatrixXd samples(40, 1);
    for (int i = 0; i < 40; ++i) samples(i, 0) = draw(c.dim, rng, c.clustered);
    samples(0, 0) = c.dim.kind == DimensionKind::kCategorical ? 0 : draw(c.dim, rng, false);
    Eigen::VectorXd got, want;
    above.log_pdf(samples, got);
    reference_log_pdf(c.dim, options, above.members(), samples, want);
    for (int i = 0; i < 40; ++i) {
      ASSERT_NEAR(got(i), want(i), 1e-11) << "step " << step << ", " << above.n_members()
                                          << " members, x = " << samples(i, 0);
    }
  }
  EXPECT_GT(above.n_members(), 500);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, AboveDensityTest,
    ::testing::Values(Case{continuous(-5, 5), true, false}, Case{continuous(-5, 5), true, true},
                      Case{continuous(std::log(1e-5), std::log(1e-1)), false, true},
                      Case{discrete(16, 512, 1), true, false}, Case{discrete(1, 8, 1), true, true},
                      Case{discrete(0, 1, 0.05), false, true}, Case{categorical(4), true, true}));

TEST(AboveDensityTest, AnEmptyEstimatorIsThePrior) {
  AboveDensity above(continuous(0, 2), {});
  Eigen::MatrixXd x(1, 1);
  x << 1.0;
  Eigen::VectorXd out;
  above.log_pdf(x, out);
  // The prior alone: a normal of width 2 around 1, truncated to [0, 2].
  const double mass = std::erf(0.5 / std::sqrt(2.0));
  EXPECT_NEAR(out(0), -std::log(2.0 * std::sqrt(2.0 * M_PI) * mass), 1e-12);
}

}  // namespace
}  // namespace hpo::tpe
