// The loops of multivariate log_pdf's fast path (parzen_shared_width.h): portable SSE2 through
// GCC vector extensions, and AVX2 with FMA through intrinsics in functions compiled for that
// target only, chosen at run time.
//
// Both visit the kernels four at a time over one group of samples (two vectors of lanes): the
// four kernels' terms for the group are eight accumulators; per continuous dimension that is
// two loads of u and four broadcasts of the kernels' v for eight multiply-adds. Each term then
// joins its lane's log-sum-exp at once: the running maximum rarely moves after the first
// kernels, and exp is taken only when some lane's term is within kCutoff nats of it.
#include <cmath>
#include <cstring>
#include <limits>

#include "samplers/tpe/exp_lanes.h"
#include "samplers/tpe/parzen_shared_width.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace hpo::tpe {
namespace {

// A log-sum-exp term more than this many nats below the largest one changes the sum by less than
// e^-45 (3e-20) relative: 10^4 such terms stay below 1e-15 (as ParzenEstimator's other paths).
constexpr double kCutoff = 45.0;
constexpr int kBatch = SharedWidthKernels::kBatch;
constexpr double kInf = std::numeric_limits<double>::infinity();

using lanes::kLn2Hi;
using lanes::kLn2Lo;
using lanes::kLog2e;
using lanes::kRound;

// ---- Portable: SSE2 through GCC vector extensions, four lanes as two vectors of two.

using lanes::V2d;
using lanes::V2i;
constexpr int kPortableLanes = 4;

V2d load2(const double* p) {
  V2d v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

void store2(double* p, V2d v) { std::memcpy(p, &v, sizeof(v)); }

// exp(x) for x <= 0 to a relative error below 5e-16 (exp_lanes.h).
constexpr auto exp_portable = lanes::exp_nonpositive;

// Four vectors of terms (kBatch kernels) into their lanes' log-sum-exp (top, sum): the maximum
// moves first, once for the four, then each term within kCutoff of it adds its exponential.
inline void add_terms(const V2d* t, V2d& top, V2d& sum) {
  const V2d m01 = t[0] > t[1] ? t[0] : t[1], m23 = t[2] > t[3] ? t[2] : t[3];
  const V2d m = m01 > m23 ? m01 : m23;
  const V2i up = m > top;
  if (up[0] | up[1]) {
    const V2d new_top = up ? m : top;
    // An empty lane (top = -inf) has sum 0, whatever the scale.
    const V2i empty = top == -kInf;
    sum = empty ? V2d{0.0, 0.0} : sum * exp_portable(top - new_top);
    top = new_top;
  }
  for (int q = 0; q < kBatch; ++q) {
    const V2d x = t[q] - top;
    const V2i kept = x >= -kCutoff;
    if (kept[0] | kept[1]) sum += (V2d)((V2i)exp_portable(x) & kept);
  }
}

void add_terms_portable(const SharedWidthKernels& kn, const SampleGroup& group, double* top_out,
                        double* sum_out) {
  const int c = kn.n_centre_dims;
  const size_t n = static_cast<size_t>(kn.stride);  // between dimensions
  const int n_tables = static_cast<int>(group.tables.size());
  V2d top[2] = {load2(top_out), load2(top_out + 2)};
  V2d sum[2] = {load2(sum_out), load2(sum_out + 2)};
  const V2d half_norm[2] = {load2(group.half_norm), load2(group.half_norm + 2)};
  for (int k = 0; k < kn.n_kernels; k += kBatch) {
    V2d a[2][kBatch];  // [lane vector][kernel]
#pragma GCC unroll 4
    for (int q = 0; q < kBatch; ++q) {
      const double constant = kn.constants[k + q];
      a[0][q] = constant - half_norm[0];
      a[1][q] = constant - half_norm[1];
    }
    for (int t = 0; t < n_tables; ++t) {
#pragma GCC unroll 4
      for (int q = 0; q < kBatch; ++q) {
        const int key = kn.keys[static_cast<size_t>(t) * n + k + q];
        const double* entry = group.tables[t] + static_cast<size_t>(key) * kPortableLanes;
        a[0][q] += load2(entry);
        a[1][q] += load2(entry + 2);
      }
    }
    for (int s = 0; s < c; ++s) {
      const V2d u0 = load2(group.u + s * kPortableLanes);
      const V2d u1 = load2(group.u + s * kPortableLanes + 2);
#pragma GCC unroll 4
      for (int q = 0; q < kBatch; ++q) {
        const double b = kn.centres[static_cast<size_t>(s) * n + k + q];
        a[0][q] += b * u0;
        a[1][q] += b * u1;
      }
    }
    add_terms(a[0], top[0], sum[0]);
    add_terms(a[1], top[1], sum[1]);
  }
  for (int h = 0; h < 2; ++h) {
    store2(top_out + 2 * h, top[h]);
    store2(sum_out + 2 * h, sum[h]);
  }
}

// ---- AVX2 with FMA: eight lanes as two vectors of four.

#if defined(__x86_64__)
constexpr int kAvxLanes = 8;

// c0 + c1 r (lambdas do not take their function's target).
__attribute__((target("avx2,fma"))) inline __m256d linear_avx2(__m256d r, double c0, double c1) {
  return _mm256_fmadd_pd(r, _mm256_set1_pd(c1), _mm256_set1_pd(c0));
}

// exp(x) for x <= 0 as exp_portable; `x` below -700 gives garbage, for callers that mask
// those lanes out (or clamp first).
__attribute__((target("avx2,fma"))) inline __m256d exp_avx2_unclamped(__m256d x) {
  const __m256d round = _mm256_set1_pd(kRound);
  const __m256d rounded = _mm256_fmadd_pd(x, _mm256_set1_pd(kLog2e), round);
  const __m256d k = _mm256_sub_pd(rounded, round);
  __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(kLn2Hi), x);
  r = _mm256_fnmadd_pd(k, _mm256_set1_pd(kLn2Lo), r);
  const __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
  const __m256d q0 = _mm256_add_pd(_mm256_set1_pd(1.0), r),
                q1 = linear_avx2(r, 1.0 / 2, 1.0 / 6), q2 = linear_avx2(r, 1.0 / 24, 1.0 / 120),
                q3 = linear_avx2(r, 1.0 / 720, 1.0 / 5040),
                q4 = linear_avx2(r, 1.0 / 40320, 1.0 / 362880),
                q5 = linear_avx2(r, 1.0 / 3628800, 1.0 / 39916800);
  const __m256d low =
      _mm256_fmadd_pd(_mm256_fmadd_pd(q3, r2, q2), r4, _mm256_fmadd_pd(q1, r2, q0));
  const __m256d high =
      _mm256_fmadd_pd(_mm256_set1_pd(1.0 / 479001600), r4, _mm256_fmadd_pd(q5, r2, q4));
  const __m256d poly = _mm256_fmadd_pd(high, r8, low);
  const __m256i biased =
      _mm256_add_epi64(_mm256_castpd_si256(rounded), _mm256_set1_epi64x(1023));
  const __m256i scale_bits = _mm256_slli_epi64(biased, 52);  // 2^k
  return _mm256_mul_pd(poly, _mm256_castsi256_pd(scale_bits));
}

// As add_terms. The kept terms' exponentials skip the clamp: a lane below -kCutoff (or -inf,
// or NaN from an empty lane) is masked out whatever its garbage.
__attribute__((target("avx2,fma"))) inline void add_terms_avx2(const __m256d* t, __m256d& top,
                                                               __m256d& sum) {
  const __m256d m = _mm256_max_pd(_mm256_max_pd(t[0], t[1]), _mm256_max_pd(t[2], t[3]));
  const __m256d up = _mm256_cmp_pd(m, top, _CMP_GT_OQ);
  if (_mm256_movemask_pd(up) != 0) {
    const __m256d new_top = _mm256_blendv_pd(top, m, up);
    const __m256d empty = _mm256_cmp_pd(top, _mm256_set1_pd(-kInf), _CMP_EQ_OQ);
    const __m256d shift = _mm256_max_pd(_mm256_sub_pd(top, new_top), _mm256_set1_pd(-700.0));
    sum = _mm256_andnot_pd(empty, _mm256_mul_pd(sum, exp_avx2_unclamped(shift)));
    top = new_top;
  }
  const __m256d cutoff = _mm256_set1_pd(-kCutoff);
#pragma GCC unroll 4
  for (int q = 0; q < kBatch; ++q) {
    const __m256d x = _mm256_sub_pd(t[q], top);
    const __m256d kept = _mm256_cmp_pd(x, cutoff, _CMP_GE_OQ);
    sum = _mm256_add_pd(sum, _mm256_and_pd(kept, exp_avx2_unclamped(x)));
  }
}

__attribute__((target("avx2,fma"))) void add_terms_avx2(const SharedWidthKernels& kn,
                                                        const SampleGroup& group, double* top_out,
                                                        double* sum_out) {
  const int c = kn.n_centre_dims;
  const size_t n = static_cast<size_t>(kn.stride);  // between dimensions
  const int n_tables = static_cast<int>(group.tables.size());
  __m256d top[2] = {_mm256_loadu_pd(top_out), _mm256_loadu_pd(top_out + 4)};
  __m256d sum[2] = {_mm256_loadu_pd(sum_out), _mm256_loadu_pd(sum_out + 4)};
  const __m256d half_norm[2] = {_mm256_loadu_pd(group.half_norm),
                                _mm256_loadu_pd(group.half_norm + 4)};
  for (int k = 0; k < kn.n_kernels; k += kBatch) {
    __m256d a[2][kBatch];  // [lane vector][kernel]
#pragma GCC unroll 4
    for (int q = 0; q < kBatch; ++q) {
      const __m256d constant = _mm256_broadcast_sd(&kn.constants[k + q]);
      a[0][q] = _mm256_sub_pd(constant, half_norm[0]);
      a[1][q] = _mm256_sub_pd(constant, half_norm[1]);
    }
    for (int t = 0; t < n_tables; ++t) {
#pragma GCC unroll 4
      for (int q = 0; q < kBatch; ++q) {
        const int key = kn.keys[static_cast<size_t>(t) * n + k + q];
        const double* entry = group.tables[t] + static_cast<size_t>(key) * kAvxLanes;
        a[0][q] = _mm256_add_pd(a[0][q], _mm256_loadu_pd(entry));
        a[1][q] = _mm256_add_pd(a[1][q], _mm256_loadu_pd(entry + 4));
      }
    }
    for (int s = 0; s < c; ++s) {
      const __m256d u0 = _mm256_loadu_pd(group.u + s * kAvxLanes);
      const __m256d u1 = _mm256_loadu_pd(group.u + s * kAvxLanes + 4);
#pragma GCC unroll 4
      for (int q = 0; q < kBatch; ++q) {
        const __m256d b = _mm256_broadcast_sd(&kn.centres[static_cast<size_t>(s) * n + k + q]);
        a[0][q] = _mm256_fmadd_pd(b, u0, a[0][q]);
        a[1][q] = _mm256_fmadd_pd(b, u1, a[1][q]);
      }
    }
    add_terms_avx2(a[0], top[0], sum[0]);
    add_terms_avx2(a[1], top[1], sum[1]);
  }
  for (int h = 0; h < 2; ++h) {
    _mm256_storeu_pd(top_out + 4 * h, top[h]);
    _mm256_storeu_pd(sum_out + 4 * h, sum[h]);
  }
}
#endif

}  // namespace

LogPdfPath best_log_pdf_path() {
  static const LogPdfPath best = log_pdf_path_available(LogPdfPath::kAvx2Fma)
                                     ? LogPdfPath::kAvx2Fma
                                     : LogPdfPath::kPortable;
  return best;
}

bool log_pdf_path_available(LogPdfPath path) {
  if (path == LogPdfPath::kPortable) return true;
#if defined(__x86_64__)
  // __builtin_cpu_supports reports AVX features only when the OS saves the YMM registers.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

int log_pdf_lanes(LogPdfPath path) {
#if defined(__x86_64__)
  if (path == LogPdfPath::kAvx2Fma) return kAvxLanes;
#endif
  return kPortableLanes;
}

void add_shared_width_terms(const SharedWidthKernels& kernels, const SampleGroup& group,
                            LogPdfPath path, double* top, double* sum) {
#if defined(__x86_64__)
  if (path == LogPdfPath::kAvx2Fma) {
    add_terms_avx2(kernels, group, top, sum);
    return;
  }
#endif
  add_terms_portable(kernels, group, top, sum);
}

}  // namespace hpo::tpe
