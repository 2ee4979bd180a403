#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

TEST(LogGaussMassTest, MatchesDirectFormulaAndStaysFiniteInTails) {
  EXPECT_NEAR(log_gauss_mass(-1.0, 1.0), std::log(phi_cdf(1.0) - phi_cdf(-1.0)), 1e-14);
  EXPECT_NEAR(log_gauss_mass(0.5, 2.0), std::log(phi_cdf(2.0) - phi_cdf(0.5)), 1e-14);
  EXPECT_NEAR(log_gauss_mass(-3.0, -0.2), std::log(phi_cdf(-0.2) - phi_cdf(-3.0)), 1e-14);
  // Far tails: Q(x) ~ phi(x)/x, so log mass ~ -x^2/2 - log(x sqrt(2 pi)).
  const double far = log_gauss_mass(50.0, 51.0);
  EXPECT_TRUE(std::isfinite(far));
  EXPECT_NEAR(far, -1250.0 - std::log(50.0 * std::sqrt(2 * std::numbers::pi)), 1e-3);
  EXPECT_NEAR(log_gauss_mass(-51.0, -50.0), far, 1e-12);
  EXPECT_NEAR(log_gauss_mass(-40.0, 40.0), 0.0, 1e-15);
}

// The table behind the truncation normalizers: Q(x) to an absolute 3e-16 everywhere on a fine
// sweep (table points, midpoints between them, the cut at 8.5 and past it), and normalizers of
// kernels centred inside their support equal to the erfc-based log mass.
TEST(LogGaussMassTest, TabulatedTailAndNormalizersMatchErfc) {
  for (int i = 0; i <= 10000; ++i) {
    const double x = i * 1e-3;
    const double exact = 0.5 * std::erfc(x / std::numbers::sqrt2);
    EXPECT_NEAR(normal_upper_tail(x), exact, 3e-16) << x;
  }
  for (int i = 0; i < 544; ++i) {
    const double x = (i + 0.5) / 64.0;  // as far from a table point as it gets
    EXPECT_NEAR(normal_upper_tail(x), 0.5 * std::erfc(x / std::numbers::sqrt2), 3e-16) << x;
  }
  EXPECT_EQ(normal_upper_tail(8.5), 0.0);
  EXPECT_EQ(normal_upper_tail(30.0), 0.0);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 20000; ++i) {
    // Supports from 0.1 to 20 widths, centres anywhere inside.
    const double length = 0.1 + 19.9 * u(rng);
    const double a = -length * u(rng), b = a + length;
    EXPECT_NEAR(log_normalizer(a, b), log_gauss_mass(a, b), 1e-14) << a << " " << b;
  }
  EXPECT_EQ(log_normalizer(-9.0, 9.0), 0.0);
  EXPECT_NEAR(log_normalizer(0.5, 2.0), log_gauss_mass(0.5, 2.0), 1e-15);  // centre outside
}


struct Masses {
  std::vector<double> product, log_rest;
};

// Kernels of one width over [low, high]: centred inside (most), outside (a > 0 or b < 0), on the
// ends, and far from both ends; product and log_rest start from arbitrary values, as they do
// for a later dimension.
std::vector<double> centres(int n, double low, double high, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> mus(n);
  const double range = high - low;
  for (int k = 0; k < n; ++k) {
    const double r = u(rng);
    if (k % 17 == 0) {
      mus[k] = r < 0.5 ? low - range * r : high + range * r;  // outside
    } else if (k % 13 == 0) {
      mus[k] = r < 0.5 ? low : high;
    } else {
      mus[k] = low + range * r;
    }
  }
  return mus;
}

Masses start(int n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.5, 1.0);
  Masses m{std::vector<double>(n), std::vector<double>(n)};
  for (int k = 0; k < n; ++k) {
    m.product[k] = u(rng);
    m.log_rest[k] = -u(rng);
  }
  return m;
}

TEST(KeptMasses, TheDispatchedFormGivesThePortableBits) {
  std::mt19937_64 rng(7);
  // Widths from a hundredth of the support (all tails beyond kFar for most kernels) to a hundred
  // times it (under 1% kept: the exact form), and counts that are no multiple of 4.
  for (const double width : {0.01, 0.1, 0.116, 0.5, 1.0, 100.0}) {
    for (const int n : {1, 3, 4, 7, 1001}) {
      const double low = -5.0, high = 5.0;
      const std::vector<double> mus = centres(n, low, high, rng);
      Masses fast = start(n, rng);
      Masses portable = fast;
      const double sigma = width * (high - low);
      multiply_kept_masses(mus.data(), n, sigma, low, high, fast.product.data(),
                           fast.log_rest.data());
      multiply_kept_masses_portable(mus.data(), n, sigma, low, high, portable.product.data(),
                                    portable.log_rest.data());
      EXPECT_EQ(0, std::memcmp(fast.product.data(), portable.product.data(), n * sizeof(double)))
          << "width " << width << ", n " << n;
      EXPECT_EQ(0,
                std::memcmp(fast.log_rest.data(), portable.log_rest.data(), n * sizeof(double)))
          << "width " << width << ", n " << n;
    }
  }
}

TEST(KeptMasses, ProductTimesRestIsTheTruncationMass) {
  std::mt19937_64 rng(11);
  const double low = std::log(1e-5), high = std::log(1e-1);
  for (const double width : {0.05, 0.3, 100.0}) {
    const int n = 203;
    const std::vector<double> mus = centres(n, low, high, rng);
    Masses m{std::vector<double>(n, 1.0), std::vector<double>(n, 0.0)};
    const double sigma = width * (high - low);
    multiply_kept_masses(mus.data(), n, sigma, low, high, m.product.data(), m.log_rest.data());
    for (int k = 0; k < n; ++k) {
      const double exact = log_gauss_mass((low - mus[k]) / sigma, (high - mus[k]) / sigma);
      EXPECT_NEAR(std::log(m.product[k]) + m.log_rest[k], exact, 1e-13 * (1.0 + std::abs(exact)))
          << "width " << width << ", centre " << mus[k];
    }
  }
}

}  // namespace
}  // namespace hpo::tpe
