#include "samplers/tpe/gaussian_box_sum.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hpo::tpe {
namespace {

// The relative error GaussianBoxSum's header states.
constexpr double kBound = 7.5e-14;

struct Bumps {
  std::vector<double> mus;
  std::vector<double> coefficients;  // n_classes per bump
};

// The direct sum in long double, split by distance: bumps within 12 sigma (which evaluate must
// include) and bumps between 12 and 12.5 sigma (which it may include).
struct Reference {
  long double must = 0.0L;
  long double may = 0.0L;
};

Reference direct_sum(const Bumps& bumps, double sigma, const std::vector<double>& weights,
                     double x) {
  const size_t nc = weights.size();
  Reference r;
  for (size_t k = 0; k < bumps.mus.size(); ++k) {
    const long double d = (static_cast<long double>(x) - bumps.mus[k]) / sigma;
    long double coef = 0.0L;
    for (size_t c = 0; c < nc; ++c) {
      coef += static_cast<long double>(weights[c]) * bumps.coefficients[k * nc + c];
    }
    const long double term = coef * std::exp(-0.5L * d * d);
    if (std::fabs(d) <= 12.0L) {
      r.must += term;
    } else if (std::fabs(d) <= 12.5L) {
      r.may += term;
    }
  }
  return r;
}

GaussianBoxSum build(double low, double high, double sigma, const Bumps& bumps, int n_classes) {
  GaussianBoxSum sum(low, high, sigma, n_classes);
  for (size_t k = 0; k < bumps.mus.size(); ++k) {
    sum.add(bumps.mus[k], &bumps.coefficients[k * static_cast<size_t>(n_classes)]);
  }
  return sum;
}

// Coefficients spread over a few orders of magnitude, some exactly 0.
std::vector<double> random_coefficients(std::mt19937_64& rng, size_t n) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> out(n);
  for (double& c : out) c = unit(rng) < 0.1 ? 0.0 : std::exp(-6.0 * unit(rng));
  return out;
}

// Points inside and outside [low, high], on bumps and on box edges.
std::vector<double> probe_points(std::mt19937_64& rng, const Bumps& bumps, double low,
                                 double high, double sigma) {
  std::uniform_real_distribution<double> around(low - 14.0 * sigma, high + 14.0 * sigma);
  std::vector<double> xs;
  for (int i = 0; i < 150; ++i) xs.push_back(around(rng));
  for (size_t k = 0; k < std::min<size_t>(bumps.mus.size(), 20); ++k) {
    xs.push_back(bumps.mus[k]);
    xs.push_back(bumps.mus[k] + 11.99 * sigma);
    xs.push_back(bumps.mus[k] - 12.0 * sigma);
  }
  for (int b = 0; b < 8; ++b) xs.push_back(low + b * 0.5 * sigma);
  xs.push_back(low);
  xs.push_back(high);
  return xs;
}

// Checks evaluate against the long double sum at every probe point and returns the largest
// relative error seen where the "may" bumps do not blur the comparison.
double check_against_direct(const Bumps& bumps, double low, double high, double sigma,
                            const std::vector<double>& weights, std::mt19937_64& rng) {
  const int nc = static_cast<int>(weights.size());
  const GaussianBoxSum sum = build(low, high, sigma, bumps, nc);
  const std::vector<double> xs = probe_points(rng, bumps, low, high, sigma);
  std::vector<double> got(xs.size());
  sum.evaluate(xs.data(), static_cast<int>(xs.size()), weights.data(), got.data());
  double worst = 0.0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Reference r = direct_sum(bumps, sigma, weights, xs[i]);
    const long double g = got[i];
    EXPECT_GE(g, r.must * (1.0L - kBound)) << "x=" << xs[i];
    EXPECT_LE(g, (r.must + r.may) * (1.0L + kBound)) << "x=" << xs[i];
    if (r.must > 0.0L && r.may <= 1e-20L * r.must) {
      worst = std::max(worst, static_cast<double>(std::fabs(g - r.must) / r.must));
    }
  }
  return worst;
}

TEST(GaussianBoxSum, MatchesDirectSumOnUniformBumps) {
  std::mt19937_64 rng(1);
  for (int nc : {1, 3}) {
    for (size_t n : {10u, 1000u, 20000u}) {
      std::uniform_real_distribution<double> place(-5.0, 5.0);
      Bumps bumps;
      for (size_t k = 0; k < n; ++k) bumps.mus.push_back(place(rng));
      bumps.coefficients = random_coefficients(rng, n * static_cast<size_t>(nc));
      std::vector<double> weights = nc == 1 ? std::vector<double>{0.7}
                                            : std::vector<double>{0.2, 1.5, 0.0};
      const double worst = check_against_direct(bumps, -5.0, 5.0, 0.1, weights, rng);
      EXPECT_LE(worst, kBound) << "classes=" << nc << " bumps=" << n;
      EXPECT_GT(worst, 0.0);  // the comparison did happen
    }
  }
}

TEST(GaussianBoxSum, MatchesDirectSumOnClusteredBumps) {
  std::mt19937_64 rng(2);
  // 20,000 bumps within one box, then a few tight clusters far apart.
  Bumps one_box;
  std::uniform_real_distribution<double> tight(0.31, 0.33);
  for (int k = 0; k < 20000; ++k) one_box.mus.push_back(tight(rng));
  one_box.coefficients = random_coefficients(rng, one_box.mus.size());
  EXPECT_LE(check_against_direct(one_box, 0.0, 1.0, 0.04, {1.0}, rng), kBound);

  Bumps clusters;
  std::normal_distribution<double> spread(0.0, 0.003);
  for (double centre : {-0.9, 0.0, 0.42, 0.95}) {
    for (int k = 0; k < 500; ++k) {
      clusters.mus.push_back(std::clamp(centre + spread(rng), -1.0, 1.0));
    }
  }
  clusters.coefficients = random_coefficients(rng, clusters.mus.size() * 3);
  EXPECT_LE(check_against_direct(clusters, -1.0, 1.0, 0.02, {1.0, 0.5, 2.0}, rng), kBound);
}

TEST(GaussianBoxSum, MatchesDirectSumAtTheSupportsEnds) {
  std::mt19937_64 rng(3);
  Bumps ends;
  for (int k = 0; k < 300; ++k) {
    ends.mus.push_back(k % 3 == 0 ? 2.0 : (k % 3 == 1 ? 3.0 : std::nextafter(3.0, 0.0)));
  }
  ends.coefficients = random_coefficients(rng, ends.mus.size());
  // (high - low) / (sigma / 2) = 33.3: the last box reaches past high.
  EXPECT_LE(check_against_direct(ends, 2.0, 3.0, 0.06, {1.0}, rng), kBound);
  // A width larger than the support: a single box.
  EXPECT_LE(check_against_direct(ends, 2.0, 3.0, 5.0, {1.0}, rng), kBound);
}

TEST(GaussianBoxSum, MatchesDirectSumFarFromTheOrigin) {
  // Coordinates near 1000 with sigma 1e-3: edges and differences carry large absolute rounding.
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> place(1000.0, 1000.5);
  Bumps bumps;
  for (int k = 0; k < 2000; ++k) bumps.mus.push_back(place(rng));
  bumps.coefficients = random_coefficients(rng, bumps.mus.size());
  EXPECT_LE(check_against_direct(bumps, 1000.0, 1000.5, 1e-3, {1.0}, rng), kBound);
}

TEST(GaussianBoxSum, ReachIsTwelveSigmaAndNothingPastTwelveAndAHalf) {
  GaussianBoxSum sum(0.0, 10.0, 0.1, 1);
  const double one = 1.0;
  sum.add(5.0, &one);
  const std::vector<double> xs = {5.0 + 1.1999, 5.0 - 1.1999, 5.0 + 1.26, 5.0 - 1.26, 5.0 + 3.0};
  std::vector<double> got(xs.size());
  sum.evaluate(xs.data(), static_cast<int>(xs.size()), &one, got.data());
  for (int i = 0; i < 2; ++i) {
    const long double d = (static_cast<long double>(xs[static_cast<size_t>(i)]) - 5.0L) / 0.1;
    const double expected = static_cast<double>(std::exp(-0.5L * d * d));
    EXPECT_NEAR(got[static_cast<size_t>(i)], expected, kBound * expected);
  }
  EXPECT_EQ(got[2], 0.0);
  EXPECT_EQ(got[3], 0.0);
  EXPECT_EQ(got[4], 0.0);
}

TEST(GaussianBoxSum, EmptyGivesZeroAndNanGivesNan) {
  GaussianBoxSum sum(-1.0, 1.0, 0.1, 2);
  const double weights[2] = {1.0, 3.0};
  const std::vector<double> xs = {-1.0, 0.0, 0.5, 1e300, -std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::quiet_NaN()};
  std::vector<double> got(xs.size(), -1.0);
  sum.evaluate(xs.data(), static_cast<int>(xs.size()), weights, got.data());
  for (size_t i = 0; i + 1 < xs.size(); ++i) EXPECT_EQ(got[i], 0.0) << "x=" << xs[i];
  EXPECT_TRUE(std::isnan(got.back()));
  EXPECT_EQ(sum.size(), 0);

  const double coefficients[2] = {1.0, 1.0};
  sum.add(0.0, coefficients);
  sum.clear();
  EXPECT_EQ(sum.size(), 0);
  sum.evaluate(xs.data(), static_cast<int>(xs.size()) - 1, weights, got.data());
  for (size_t i = 0; i + 1 < xs.size(); ++i) EXPECT_EQ(got[i], 0.0) << "x=" << xs[i];
  EXPECT_EQ(sum.add(0.5, coefficients), 0);  // handles start again after clear()
}

TEST(GaussianBoxSum, ClassWeightsCombineLinearly) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> place(0.0, 4.0);
  const int n = 3000;
  GaussianBoxSum three(0.0, 4.0, 0.05, 3);
  std::vector<GaussianBoxSum> single(3, GaussianBoxSum(0.0, 4.0, 0.05, 1));
  for (int k = 0; k < n; ++k) {
    const double mu = place(rng);
    const std::vector<double> coefficients = random_coefficients(rng, 3);
    three.add(mu, coefficients.data());
    for (int c = 0; c < 3; ++c) single[static_cast<size_t>(c)].add(mu, &coefficients[static_cast<size_t>(c)]);
  }
  std::vector<double> xs;
  for (int i = 0; i < 200; ++i) xs.push_back(-0.2 + 4.4 * i / 199.0);
  const int m = static_cast<int>(xs.size());
  const double weights[3] = {0.3, 2.0, 0.05};
  std::vector<double> combined(xs.size());
  three.evaluate(xs.data(), m, weights, combined.data());
  std::vector<double> expected(xs.size(), 0.0);
  for (int c = 0; c < 3; ++c) {
    std::vector<double> part(xs.size());
    single[static_cast<size_t>(c)].evaluate(xs.data(), m, &weights[c], part.data());
    for (size_t i = 0; i < xs.size(); ++i) expected[i] += part[i];
  }
  const double unit[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_NEAR(combined[i], expected[i], 2 * kBound * expected[i]) << "x=" << xs[i];
    EXPECT_GT(expected[i], 0.0);
  }
  // Each unit weight picks one class exactly as the one-class structure does.
  for (int c = 0; c < 3; ++c) {
    std::vector<double> picked(xs.size()), alone(xs.size());
    const double one = 1.0;
    three.evaluate(xs.data(), m, unit[c], picked.data());
    single[static_cast<size_t>(c)].evaluate(xs.data(), m, &one, alone.data());
    for (size_t i = 0; i < xs.size(); ++i) EXPECT_DOUBLE_EQ(picked[i], alone[i]);
  }
}

TEST(GaussianBoxSum, AddRemoveEqualsAFreshStructureWithTheRemainingBumps) {
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> place(-2.0, 2.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  GaussianBoxSum sum(-2.0, 2.0, 0.04, 2);
  struct Live {
    int id;
    double mu;
    double coefficients[2];
  };
  std::vector<Live> live;
  for (int step = 0; step < 6000; ++step) {
    if (!live.empty() && unit(rng) < 0.35) {
      const size_t k = static_cast<size_t>(unit(rng) * static_cast<double>(live.size()));
      sum.remove(live[k].id);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      // Half the bumps in one crowded corner, so removals hit boxes with many members.
      Live b{0, unit(rng) < 0.5 ? place(rng) : -1.99 + 0.01 * unit(rng), {unit(rng), unit(rng)}};
      b.id = sum.add(b.mu, b.coefficients);
      live.push_back(b);
    }
  }
  ASSERT_EQ(sum.size(), static_cast<int>(live.size()));
  GaussianBoxSum fresh(-2.0, 2.0, 0.04, 2);
  for (const Live& b : live) fresh.add(b.mu, b.coefficients);
  std::vector<double> xs;
  for (int i = 0; i < 500; ++i) xs.push_back(-2.5 + 5.0 * i / 499.0);
  const double weights[2] = {1.0, 0.25};
  std::vector<double> a(xs.size()), b(xs.size());
  sum.evaluate(xs.data(), static_cast<int>(xs.size()), weights, a.data());
  fresh.evaluate(xs.data(), static_cast<int>(xs.size()), weights, b.data());
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-14 * b[i]) << "x=" << xs[i];

  // Removing everything leaves exact zeros: no residue of the removed bumps.
  for (const Live& l : live) sum.remove(l.id);
  sum.evaluate(xs.data(), static_cast<int>(xs.size()), weights, a.data());
  for (double v : a) EXPECT_EQ(v, 0.0);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(GaussianBoxSum, RejectsBadArgumentsWithTheValue) {
  EXPECT_NE(message_of([] { GaussianBoxSum(1.0, 1.0, 0.1, 1); }).find("low < high"),
            std::string::npos);
  EXPECT_NE(message_of([] { GaussianBoxSum(0.0, 1.0, -0.1, 1); }).find("-0.1"), std::string::npos);
  EXPECT_NE(message_of([] { GaussianBoxSum(0.0, 1.0, 1e-6, 1); }).find("at most"),
            std::string::npos);
  EXPECT_NE(message_of([] { GaussianBoxSum(0.0, 1.0, 0.1, 0); }).find("n_classes"),
            std::string::npos);
  GaussianBoxSum sum(0.0, 1.0, 0.1, 1);
  const double good = 1.0, negative = -2.0, nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message_of([&] { sum.add(1.5, &good); }).find("1.5"), std::string::npos);
  EXPECT_NE(message_of([&] { sum.add(nan, &good); }).find("mu"), std::string::npos);
  EXPECT_NE(message_of([&] { sum.add(0.5, &negative); }).find("-2"), std::string::npos);
  EXPECT_NE(message_of([&] { sum.add(0.5, &nan); }).find("coefficient"), std::string::npos);
  const int id = sum.add(0.5, &good);
  sum.remove(id);
  EXPECT_NE(message_of([&] { sum.remove(id); }).find("removed already"), std::string::npos);
  EXPECT_NE(message_of([&] { sum.remove(77); }).find("77"), std::string::npos);
  double x = 0.5, out = 0.0;
  EXPECT_NE(message_of([&] { sum.evaluate(&x, 1, &negative, &out); }).find("class weight"),
            std::string::npos);
  EXPECT_EQ(sum.size(), 0);
}

}  // namespace
}  // namespace hpo::tpe
