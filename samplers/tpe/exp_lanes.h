// exp over vector lanes (GCC vector extensions) for the log-sum-exps of ParzenEstimator::log_pdf
// and the box sums, which take it for every kept term. Internal to samplers/tpe.
#pragma once

namespace hpo::tpe::lanes {

using V2d = double __attribute__((vector_size(16)));
using V2i = long long __attribute__((vector_size(16)));
// Four lanes: two SSE2 vectors in portable code, one AVX vector where a function's target
// allows (the same operations per lane, so the same bits either way).
using V4d = double __attribute__((vector_size(32)));
using V4i = long long __attribute__((vector_size(32)));

inline constexpr double kLog2e = 1.4426950408889634;
inline constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 in two parts: k * kLn2Hi
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;  // is exact for |k| < 2^11
inline constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer

// exp(x) in every lane, for x <= 0, to a relative error below 5e-16: exp(r) for
// |r| <= ln(2)/2 by its Taylor polynomial to r^12 (remainder below 2e-16) in Estrin's scheme
// (short dependency chains), times 2^k built from k's bits. Arguments below -700 count as -700,
// whose exp (1e-304) is nothing next to a log-sum-exp's largest term, 1. No fused multiply-add
// (none is asked for), so every target gives the same bits. In place and always inlined: a
// caller compiled for AVX then keeps four lanes in one register (and no vector crosses a call).
template <class V, class I>
[[gnu::always_inline]] inline void exp_nonpositive_in_place(V& x) {
  const V floor = V{} - 700.0;
  x = x < floor ? floor : x;
  const V rounded = x * kLog2e + kRound;  // k in its low mantissa bits
  const V k = rounded - kRound;
  const V r = (x - k * kLn2Hi) - k * kLn2Lo;
  const V r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const V q0 = 1.0 + r, q1 = 1.0 / 2 + r * (1.0 / 6), q2 = 1.0 / 24 + r * (1.0 / 120),
          q3 = 1.0 / 720 + r * (1.0 / 5040), q4 = 1.0 / 40320 + r * (1.0 / 362880),
          q5 = 1.0 / 3628800 + r * (1.0 / 39916800);
  const V poly =
      ((q0 + q1 * r2) + (q2 + q3 * r2) * r4) + ((q4 + q5 * r2) + (1.0 / 479001600) * r4) * r8;
  const I scale_bits = ((I)rounded + 1023) << 52;  // 2^k
  x = poly * (V)scale_bits;
}

// Whether this CPU runs AVX2, for callers that choose between a portable form and an AVX2 one
// of the same code (same bits either way).
inline bool has_avx2() {
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
}

inline V2d exp_nonpositive(V2d x) {
  exp_nonpositive_in_place<V2d, V2i>(x);
  return x;
}

}  // namespace hpo::tpe::lanes
