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
constexpr double kBound = 5.5e-14;

struct Bumps {
  std::vector<double> mus;
  std::vector<double> coefficients;  // n_classes per bump
};

// The direct sum in long double, split by distance: bumps within the reach (which evaluate must
// include) and bumps within half a sigma more (which it may include).
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
    if (std::fabs(d) <= static_cast<long double>(GaussianBoxSum::kReach)) {
      r.must += term;
    } else if (std::fabs(d) <= GaussianBoxSum::kReach + 0.5L) {
      r.may += term;
    }
  }
  return r;
}

enum class Fill { kAdds, kAssign };

GaussianBoxSum build(double low, double high, double sigma, const Bumps& bumps, int n_classes,
                     Fill fill = Fill::kAdds) {
  GaussianBoxSum sum(low, high, sigma, n_classes);
  if (fill == Fill::kAssign) {
    sum.assign(bumps.mus.data(), bumps.coefficients.data(), static_cast<int>(bumps.mus.size()));
    return sum;
  }
  for (size_t k = 0; k < bumps.mus.size(); ++k) {
    sum.add(bumps.mus[k], &bumps.coefficients[k * static_cast<size_t>(n_classes)]);
  }
  return sum;
}

std::vector<double> values_at(const GaussianBoxSum& sum, const std::vector<double>& xs,
                              const std::vector<double>& weights) {
  std::vector<double> out(xs.size());
  sum.evaluate(xs.data(), static_cast<int>(xs.size()), weights.data(), out.data());
  return out;
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
    xs.push_back(bumps.mus[k] + (GaussianBoxSum::kReach - 0.01) * sigma);
    xs.push_back(bumps.mus[k] - GaussianBoxSum::kReach * sigma);
  }
  for (int b = 0; b < 8; ++b) xs.push_back(low + b * 0.5 * sigma);
  xs.push_back(low);
  xs.push_back(high);
  return xs;
}

// Checks evaluate against the long double sum at every probe point, for a structure built by
// adds and one built by assign, and returns the largest relative error seen where the "may" bumps
// do not blur the comparison.
double check_against_direct(const Bumps& bumps, double low, double high, double sigma,
                            const std::vector<double>& weights, std::mt19937_64& rng) {
  const int nc = static_cast<int>(weights.size());
  const std::vector<double> xs = probe_points(rng, bumps, low, high, sigma);
  std::vector<Reference> reference;
  for (double x : xs) reference.push_back(direct_sum(bumps, sigma, weights, x));
  double worst = 0.0;
  for (Fill fill : {Fill::kAdds, Fill::kAssign}) {
    const std::vector<double> got =
        values_at(build(low, high, sigma, bumps, nc, fill), xs, weights);
    const char* how = fill == Fill::kAdds ? "adds" : "assign";
    for (size_t i = 0; i < xs.size(); ++i) {
      const Reference& r = reference[i];
      const long double g = got[i];
      EXPECT_GE(g, r.must * (1.0L - kBound)) << how << " x=" << xs[i];
      EXPECT_LE(g, (r.must + r.may) * (1.0L + kBound)) << how << " x=" << xs[i];
      if (r.must > 0.0L && r.may <= 1e-20L * r.must) {
        worst = std::max(worst, static_cast<double>(std::fabs(g - r.must) / r.must));
      }
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

TEST(GaussianBoxSum, ReachIsTenSigmaAndNothingPastTenAndAHalf) {
  static_assert(GaussianBoxSum::kReach == 10.0, "the points below are placed for a reach of 10");
  GaussianBoxSum sum(0.0, 10.0, 0.1, 1);
  const double one = 1.0;
  sum.add(5.0, &one);
  const std::vector<double> xs = {5.0 + 0.9999, 5.0 - 0.9999, 5.0 + 1.06, 5.0 - 1.06, 5.0 + 3.0};
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

// Moment arrays outside the structure: the moments of a subset of the bumps, built with
// add_terms (plain and compensated) or by copying and subtracting, combined in evaluate with
// weights of either sign, against the direct sum of what the combination means.
TEST(GaussianBoxSum, ExtraMomentArraysCombineWithTheClasses) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> place(-3.0, 3.0), unit(0.0, 1.0);
  const double low = -3.0, high = 3.0, sigma = 0.06;
  GaussianBoxSum sum(low, high, sigma, 1);
  Bumps all, older;  // every bump, and the first half ("older")
  const int n = 4000;
  for (int k = 0; k < n; ++k) {
    const double mu = place(rng);
    const double c = std::exp(-4.0 * unit(rng));
    sum.add(mu, &c);
    all.mus.push_back(mu);
    all.coefficients.push_back(c);
    if (k < n / 2) {
      older.mus.push_back(mu);
      older.coefficients.push_back(c);
    }
  }
  const size_t size = sum.moments_size();
  // The older half three ways: summed plainly, summed compensated, and all minus the newer half.
  std::vector<double> plain(size, 0.0), hi(size, 0.0), lo(size, 0.0), copied(size, 0.0);
  sum.copy_moments(0, copied.data());
  GaussianBoxSum::BumpTerms bump;
  for (int k = 0; k < n; ++k) {
    sum.bump_terms(all.mus[static_cast<size_t>(k)], bump);
    const double c = all.coefficients[static_cast<size_t>(k)];
    if (k < n / 2) {
      sum.add_terms(bump, c, plain.data());
      sum.add_terms(bump, c, hi.data(), lo.data());
    } else {
      sum.add_terms(bump, -c, copied.data());
    }
  }
  // add_moments: hi + lo of "older" plus and minus the copy leaves "older".
  std::vector<double> twice_hi = hi, twice_lo = lo;
  sum.add_moments(copied.data(), 1.0, twice_hi.data(), twice_lo.data());
  sum.add_moments(copied.data(), -1.0, twice_hi.data(), twice_lo.data());

  std::vector<double> xs;
  for (int i = 0; i < 300; ++i) xs.push_back(low - 0.5 + (high - low + 1.0) * i / 299.0);
  const int m = static_cast<int>(xs.size());
  const std::vector<double> one = {1.0};
  for (const std::vector<double>* array : {&plain, &hi, &copied, &twice_hi}) {
    // The older half alone (class weight 0), and all minus twice the older half (-1 each side).
    const double zero = 0.0;
    const GaussianBoxSum::Extra alone{array->data(), 1.0};
    const GaussianBoxSum::Extra twice{array->data(), -2.0};
    std::vector<double> got_alone(xs.size()), got_difference(xs.size());
    sum.evaluate(xs.data(), m, &zero, got_alone.data(), &alone, 1);
    sum.evaluate(xs.data(), m, one.data(), got_difference.data(), &twice, 1);
    for (int i = 0; i < m; ++i) {
      const Reference r_older = direct_sum(older, sigma, one, xs[static_cast<size_t>(i)]);
      const Reference r_all = direct_sum(all, sigma, one, xs[static_cast<size_t>(i)]);
      if (r_all.may > 1e-20L * r_all.must) continue;  // bumps at the reach's edge blur it
      const long double older_value = r_older.must;
      const long double difference = r_all.must - 2.0L * r_older.must;
      // Relative to the sum of absolute values (the contract with cancelling weights), with
      // room for the plain sums' rounding.
      const long double scale = r_all.must + 2.0L * r_older.must;
      EXPECT_NEAR(got_alone[static_cast<size_t>(i)], static_cast<double>(older_value),
                  static_cast<double>(4 * kBound * older_value) + 1e-300)
          << "x=" << xs[static_cast<size_t>(i)];
      EXPECT_NEAR(got_difference[static_cast<size_t>(i)], static_cast<double>(difference),
                  static_cast<double>(4 * kBound * scale) + 1e-300)
          << "x=" << xs[static_cast<size_t>(i)];
    }
  }
  // A weight that is not finite is refused, naming the extra.
  const GaussianBoxSum::Extra bad{plain.data(), std::numeric_limits<double>::infinity()};
  std::vector<double> out(xs.size());
  try {
    sum.evaluate(xs.data(), m, one.data(), out.data(), &bad, 1);
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("extra weight 0"), std::string::npos) << e.what();
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


TEST(GaussianBoxSum, AssignEqualsAddsInOrderWithTheSameHandles) {
  // TPE's "above" classes (a_k, a_k * rank_k) on bumps spread over the range and crowded into a
  // few boxes (hundreds of bumps per box, so several chunks each).
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> place(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Bumps bumps;
  for (int k = 0; k < 6000; ++k) {
    bumps.mus.push_back(k % 3 == 0 ? 0.5 + 0.004 * unit(rng) : place(rng));
    const double a = unit(rng);
    bumps.coefficients.push_back(a);
    bumps.coefficients.push_back(a * k);
  }
  const GaussianBoxSum by_adds = build(0.0, 1.0, 0.01, bumps, 2, Fill::kAdds);
  GaussianBoxSum by_assign = build(0.0, 1.0, 0.01, bumps, 2, Fill::kAssign);
  EXPECT_EQ(by_assign.size(), 6000);
  const std::vector<double> weights = {1.0, 1e-4};
  const std::vector<double> xs = probe_points(rng, bumps, 0.0, 1.0, 0.01);
  const std::vector<double> a = values_at(by_adds, xs, weights);
  const std::vector<double> b = values_at(by_assign, xs, weights);
  for (size_t i = 0; i < xs.size(); ++i) {
    // Both meet the bound against the exact sum (the direct-sum tests check both), so they
    // differ by at most twice it.
    EXPECT_NEAR(b[i], a[i], 2 * kBound * a[i]) << "x=" << xs[i];
  }

  // Handle k is bump k: removing handles from both structures leaves equal ones, and the next
  // add() continues after the assigned handles.
  for (int id : {0, 3, 4, 5999, 2500, 1}) {
    by_assign.remove(id);
  }
  Bumps rest;
  for (int k = 0; k < 6000; ++k) {
    if (k == 0 || k == 3 || k == 4 || k == 5999 || k == 2500 || k == 1) continue;
    rest.mus.push_back(bumps.mus[static_cast<size_t>(k)]);
    rest.coefficients.push_back(bumps.coefficients[2 * static_cast<size_t>(k)]);
    rest.coefficients.push_back(bumps.coefficients[2 * static_cast<size_t>(k) + 1]);
  }
  const std::vector<double> after = values_at(by_assign, xs, weights);
  const std::vector<double> fresh = values_at(build(0.0, 1.0, 0.01, rest, 2, Fill::kAssign),
                                              xs, weights);
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_NEAR(after[i], fresh[i], 1e-14 * fresh[i]) << "x=" << xs[i];
  }
  EXPECT_EQ(by_assign.size(), 5994);
  const double more[2] = {1.0, 2.0};
  EXPECT_EQ(by_assign.add(0.25, more), 6000);
  EXPECT_NE(message_of([&] { by_assign.remove(2500); }).find("removed already"),
            std::string::npos);
}

TEST(GaussianBoxSum, AssignReplacesEveryBump) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> place(-3.0, 3.0);
  Bumps first, second;
  for (int k = 0; k < 3000; ++k) first.mus.push_back(place(rng));
  first.coefficients = random_coefficients(rng, first.mus.size() * 3);
  // The second set leaves much of the range empty, so boxes that held bumps must be emptied.
  std::uniform_real_distribution<double> narrow(0.5, 1.2);
  for (int k = 0; k < 700; ++k) second.mus.push_back(narrow(rng));
  second.coefficients = random_coefficients(rng, second.mus.size() * 3);

  GaussianBoxSum reused = build(-3.0, 3.0, 0.05, first, 3, Fill::kAdds);
  reused.remove(17);
  reused.assign(second.mus.data(), second.coefficients.data(),
                static_cast<int>(second.mus.size()));
  const GaussianBoxSum fresh = build(-3.0, 3.0, 0.05, second, 3, Fill::kAssign);
  EXPECT_EQ(reused.size(), 700);
  std::vector<double> xs;
  for (int i = 0; i < 400; ++i) xs.push_back(-3.7 + 7.4 * i / 399.0);
  const std::vector<double> weights = {0.5, 1.0, 3.0};
  const std::vector<double> a = values_at(reused, xs, weights);
  const std::vector<double> b = values_at(fresh, xs, weights);
  // Each box's moments are summed from zero, so nothing of the first set can remain: the two
  // structures agree exactly.
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_EQ(a[i], b[i]) << "x=" << xs[i];
  EXPECT_NE(message_of([&] { reused.remove(700); }).find("700"), std::string::npos);

  // Assigning nothing empties the structure.
  reused.assign(nullptr, nullptr, 0);
  EXPECT_EQ(reused.size(), 0);
  for (double v : values_at(reused, xs, weights)) EXPECT_EQ(v, 0.0);
}

TEST(GaussianBoxSum, AssignRejectsBadBumpsAndChangesNothing) {
  GaussianBoxSum sum(0.0, 1.0, 0.1, 2);
  const double mus[3] = {0.2, 0.4, 0.6};
  const double coefficients[6] = {1.0, 1.0, 2.0, 0.5, 1.0, 3.0};
  sum.assign(mus, coefficients, 3);
  const std::vector<double> xs = {0.1, 0.3, 0.5, 0.9};
  const std::vector<double> weights = {1.0, 1.0};
  const std::vector<double> before = values_at(sum, xs, weights);

  const double bad_mus[3] = {0.2, 1.5, 0.6};
  EXPECT_NE(message_of([&] { sum.assign(bad_mus, coefficients, 3); }).find("1.5"),
            std::string::npos);
  const double bad_coefficients[6] = {1.0, 1.0, 2.0, 0.5, 1.0, -4.0};
  EXPECT_NE(message_of([&] { sum.assign(mus, bad_coefficients, 3); }).find("-4"),
            std::string::npos);
  EXPECT_NE(message_of([&] { sum.assign(mus, coefficients, -1); }).find("-1"), std::string::npos);
  EXPECT_EQ(sum.size(), 3);
  EXPECT_EQ(values_at(sum, xs, weights), before);
}

}  // namespace
}  // namespace hpo::tpe
