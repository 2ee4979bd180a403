// The table behind normal_upper_tail (truncated_normal.h), shared by its scalar and vectorized
// users: Taylor coefficients of the standard normal upper tail Q at the points i / 64 of
// [0, kFar]. Internal to samplers/tpe.
#pragma once

namespace hpo::tpe {

// Past kFar standard deviations on both sides a kernel's truncation loses less than 2e-17 of its
// mass (Q(8.5) < 1e-17), so its log normalizer is 0 to double precision: no erfc needed.
inline constexpr double kFar = 8.5;

// With |x - x_i| <= 1/128 the degree-6 remainder is below max|Q^(7)| (1/128)^7 / 7! < 1e-17.
inline constexpr int kTailPointsPerUnit = 64;
inline constexpr int kTailDegree = 6;
inline constexpr int kTailPoints = static_cast<int>(kFar * kTailPointsPerUnit) + 1;

struct TailTable {
  // Row i: the coefficients of Q around i / kTailPointsPerUnit, padded to one 64-byte cache line
  // so that a vectorized reader loads a row as two aligned 4-lane vectors.
  alignas(64) double coefficients[kTailPoints][8];

  TailTable();
};

// Built on first use (thread-safe static).
const TailTable& tail_table();

// Q(x) for 0 <= x, from the table (0 from kFar on). Estrin's scheme: the powers of dx and the
// pairs of coefficients evaluate in parallel instead of one chain of six dependent products.
// multiply_kept_masses' vector form repeats these operations in this order, so that both give
// the same bits.
inline double tabulated_tail(const TailTable& table, double x) {
  if (x >= kFar) return 0.0;
  const int i = static_cast<int>(x * kTailPointsPerUnit + 0.5);
  const double dx = x - static_cast<double>(i) / kTailPointsPerUnit;
  const double* c = table.coefficients[i];
  const double dx2 = dx * dx;
  const double dx4 = dx2 * dx2;
  return (c[0] + c[1] * dx) + (c[2] + c[3] * dx) * dx2 + ((c[4] + c[5] * dx) + c[6] * dx2) * dx4;
}

}  // namespace hpo::tpe
