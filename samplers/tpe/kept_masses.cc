// multiply_kept_masses (truncated_normal.h): the truncation masses of multivariate TPE's kernels,
// 10,000 kernels x 10 dimensions per estimator at 10,000 trials, rebuilt whenever a trial joins
// (the shared width changes with the number of kernels). Two forms that give the same bits: a
// portable one, two tails per SSE2 vector, and one with AVX2 for four kernels at a time, chosen
// at run time. The AVX2 form uses no fused multiply-add, so each lane performs the portable
// form's very operations in its order: results do not depend on the CPU.
#include <immintrin.h>

#include <algorithm>

#include "samplers/tpe/exp_lanes.h"
#include "samplers/tpe/tail_table.h"
#include "samplers/tpe/truncated_normal.h"

namespace hpo::tpe {
namespace {

// A kernel's masses where the fast form does not apply: log_rest gets the exact log mass.
// Returns whether the fast form applied.
inline bool multiply_one(const TailTable& table, double a, double b, double* product,
                         double* log_rest) {
  using V2d = double __attribute__((vector_size(16)));
  if (a > 0.0 || b < 0.0) {
    *log_rest += log_gauss_mass(a, b);
    return false;
  }
  // Both tails Q(-a) and Q(b) in the two lanes of one vector (GCC vector extensions).
  const double ta = std::min(-a, kFar);  // Q is 0 from kFar on: any row serves
  const double tb = std::min(b, kFar);
  const int ia = static_cast<int>(ta * kTailPointsPerUnit + 0.5);
  const int ib = static_cast<int>(tb * kTailPointsPerUnit + 0.5);
  const double* ca = table.coefficients[ia];
  const double* cb = table.coefficients[ib];
  const V2d dx = {ta - static_cast<double>(ia) / kTailPointsPerUnit,
                  tb - static_cast<double>(ib) / kTailPointsPerUnit};
  const V2d dx2 = dx * dx;
  const V2d dx4 = dx2 * dx2;
  const V2d c0 = {ca[0], cb[0]}, c1 = {ca[1], cb[1]}, c2 = {ca[2], cb[2]}, c3 = {ca[3], cb[3]};
  const V2d c4 = {ca[4], cb[4]}, c5 = {ca[5], cb[5]}, c6 = {ca[6], cb[6]};
  const V2d tails = (c0 + c1 * dx) + (c2 + c3 * dx) * dx2 + ((c4 + c5 * dx) + c6 * dx2) * dx4;
  const double lost = (-a >= kFar ? 0.0 : tails[0]) + (b >= kFar ? 0.0 : tails[1]);
  if (lost >= 0.99) {
    *log_rest += log_gauss_mass(a, b);
    return false;
  }
  *product *= 1.0 - lost;
  return true;
}

// Q at t (4 lanes, 0 <= t <= kFar) from the table: each lane's row is one cache line, loaded as
// two vectors and transposed so that vector k holds the lanes' coefficients of degree k.
__attribute__((target("avx2"))) inline __m256d tails_avx2(const TailTable& table, __m256d t) {
  const __m128i rows = _mm256_cvttpd_epi32(
      _mm256_add_pd(_mm256_mul_pd(t, _mm256_set1_pd(kTailPointsPerUnit)), _mm256_set1_pd(0.5)));
  const __m256d dx = _mm256_sub_pd(
      t, _mm256_div_pd(_mm256_cvtepi32_pd(rows), _mm256_set1_pd(kTailPointsPerUnit)));
  alignas(16) int row[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(row), rows);
  __m256d c[8];
  for (int half = 0; half < 2; ++half) {
    const __m256d r0 = _mm256_load_pd(table.coefficients[row[0]] + 4 * half);
    const __m256d r1 = _mm256_load_pd(table.coefficients[row[1]] + 4 * half);
    const __m256d r2 = _mm256_load_pd(table.coefficients[row[2]] + 4 * half);
    const __m256d r3 = _mm256_load_pd(table.coefficients[row[3]] + 4 * half);
    const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    c[4 * half + 0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    c[4 * half + 1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    c[4 * half + 2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    c[4 * half + 3] = _mm256_permute2f128_pd(t1, t3, 0x31);
  }
  const __m256d dx2 = _mm256_mul_pd(dx, dx);
  const __m256d dx4 = _mm256_mul_pd(dx2, dx2);
  // (c0 + c1 dx) + (c2 + c3 dx) dx2 + ((c4 + c5 dx) + c6 dx2) dx4, as tabulated_tail.
  const __m256d p01 = _mm256_add_pd(c[0], _mm256_mul_pd(c[1], dx));
  const __m256d p23 = _mm256_mul_pd(_mm256_add_pd(c[2], _mm256_mul_pd(c[3], dx)), dx2);
  const __m256d p456 = _mm256_mul_pd(
      _mm256_add_pd(_mm256_add_pd(c[4], _mm256_mul_pd(c[5], dx)), _mm256_mul_pd(c[6], dx2)), dx4);
  return _mm256_add_pd(_mm256_add_pd(p01, p23), p456);
}

__attribute__((target("avx2"))) void multiply_kept_masses_avx2(const double* mus,
                                                               Eigen::Index n, double sigma,
                                                               double low, double high,
                                                               double* product, double* log_rest) {
  const TailTable& table = tail_table();
  const double inv = 1.0 / sigma;
  const __m256d v_inv = _mm256_set1_pd(inv), v_low = _mm256_set1_pd(low);
  const __m256d v_high = _mm256_set1_pd(high), v_far = _mm256_set1_pd(kFar);
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
  const __m256d sign = _mm256_set1_pd(-0.0), limit = _mm256_set1_pd(0.99);
  Eigen::Index k = 0;
  for (; k + 4 <= n; k += 4) {
    const __m256d mu = _mm256_loadu_pd(mus + k);
    const __m256d a = _mm256_mul_pd(_mm256_sub_pd(v_low, mu), v_inv);
    const __m256d b = _mm256_mul_pd(_mm256_sub_pd(v_high, mu), v_inv);
    const __m256d minus_a = _mm256_xor_pd(a, sign);
    // Lanes of kernels centred outside take the exact form below; their rows are clamped to the
    // table only so that the loads stay inside it.
    const __m256d ta = _mm256_max_pd(_mm256_min_pd(minus_a, v_far), zero);
    const __m256d tb = _mm256_max_pd(_mm256_min_pd(b, v_far), zero);
    const __m256d tail_a = _mm256_andnot_pd(_mm256_cmp_pd(minus_a, v_far, _CMP_GE_OQ),
                                            tails_avx2(table, ta));
    const __m256d tail_b = _mm256_andnot_pd(_mm256_cmp_pd(b, v_far, _CMP_GE_OQ),
                                            tails_avx2(table, tb));
    const __m256d lost = _mm256_add_pd(tail_a, tail_b);
    const __m256d fast = _mm256_and_pd(
        _mm256_and_pd(_mm256_cmp_pd(a, zero, _CMP_LE_OQ), _mm256_cmp_pd(b, zero, _CMP_GE_OQ)),
        _mm256_cmp_pd(lost, limit, _CMP_LT_OQ));
    if (_mm256_movemask_pd(fast) == 0xF) {
      _mm256_storeu_pd(product + k,
                       _mm256_mul_pd(_mm256_loadu_pd(product + k), _mm256_sub_pd(one, lost)));
      continue;
    }
    alignas(32) double lane_a[4], lane_b[4];
    _mm256_store_pd(lane_a, a);
    _mm256_store_pd(lane_b, b);
    for (int l = 0; l < 4; ++l) {
      multiply_one(table, lane_a[l], lane_b[l], product + k + l, log_rest + k + l);
    }
  }
  for (; k < n; ++k) {
    multiply_one(table, (low - mus[k]) * inv, (high - mus[k]) * inv, product + k, log_rest + k);
  }
}

}  // namespace

void multiply_kept_masses_portable(const double* mus, Eigen::Index n, double sigma, double low,
                                   double high, double* product, double* log_rest) {
  const TailTable& table = tail_table();
  // The same 1/sigma as log_width_times_mass's, so that a and b are the same numbers.
  const double inv = 1.0 / sigma;
  for (Eigen::Index k = 0; k < n; ++k) {
    multiply_one(table, (low - mus[k]) * inv, (high - mus[k]) * inv, product + k, log_rest + k);
  }
}

void multiply_kept_masses(const double* mus, Eigen::Index n, double sigma, double low, double high,
                          double* product, double* log_rest) {
  if (lanes::has_avx2()) {
    multiply_kept_masses_avx2(mus, n, sigma, low, high, product, log_rest);
  } else {
    multiply_kept_masses_portable(mus, n, sigma, low, high, product, log_rest);
  }
}

}  // namespace hpo::tpe
