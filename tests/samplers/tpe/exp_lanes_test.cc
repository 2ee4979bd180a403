#include "samplers/tpe/exp_lanes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace hpo::tpe::lanes {
namespace {

// exp over an array four lanes at a time, compiled once for the portable target and once for
// AVX2, as the box sums, the direct kernels and exp_sum use it. REQUIRES: n % 4 == 0.
[[gnu::always_inline]] inline void exp_all_body(const double* x, double* out, size_t n) {
  for (size_t i = 0; i < n; i += 4) {
    V4d v;
    std::memcpy(&v, x + i, sizeof(v));
    exp_nonpositive_in_place<V4d, V4i>(v);
    std::memcpy(out + i, &v, sizeof(v));
  }
}

void exp_all_portable(const double* x, double* out, size_t n) { exp_all_body(x, out, n); }

__attribute__((target("avx2"))) void exp_all_avx2(const double* x, double* out, size_t n) {
  exp_all_body(x, out, n);
}

// Arguments <= 0 across the range that matters, with the edges: 0, the tiniest negatives, the
// clamp at -700 and below it.
std::vector<double> arguments() {
  std::vector<double> x = {0.0, -0.0, -1e-300, -1e-17, -0.5 * std::log(2.0), -std::log(2.0),
                           -1.0, -50.0, -699.999, -700.0, -700.5, -745.0};
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> wide(-700.0, 0.0);
  std::uniform_real_distribution<double> near(-2.0, 0.0);
  for (int i = 0; i < 2000; ++i) x.push_back(wide(rng));
  for (int i = 0; i < 2000; ++i) x.push_back(near(rng));
  while (x.size() % 4 != 0) x.push_back(-3.0);
  return x;
}

TEST(ExpLanesTest, IsWithin5e16OfExpAndClampsAtMinus700) {
  const std::vector<double> x = arguments();
  std::vector<double> got(x.size());
  exp_all_portable(x.data(), got.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const long double want = std::exp(static_cast<long double>(std::max(x[i], -700.0)));
    EXPECT_LE(std::fabs(static_cast<long double>(got[i]) - want), 5e-16L * want)
        << "x = " << x[i];
  }
}

TEST(ExpLanesTest, TwoAndFourLanesGiveTheSameBitsWithOrWithoutAvx2) {
  const std::vector<double> x = arguments();
  std::vector<double> four(x.size()), two(x.size());
  exp_all_portable(x.data(), four.data(), x.size());
  for (size_t i = 0; i < x.size(); i += 2) {
    V2d v;
    std::memcpy(&v, &x[i], sizeof(v));
    v = exp_nonpositive(v);
    std::memcpy(&two[i], &v, sizeof(v));
  }
  EXPECT_EQ(0, std::memcmp(four.data(), two.data(), x.size() * sizeof(double)));
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
  std::vector<double> avx2(x.size());
  exp_all_avx2(x.data(), avx2.data(), x.size());
  EXPECT_EQ(0, std::memcmp(four.data(), avx2.data(), x.size() * sizeof(double)));
}

}  // namespace
}  // namespace hpo::tpe::lanes
