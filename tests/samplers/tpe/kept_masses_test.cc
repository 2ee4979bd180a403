#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

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
