// exp over two SSE2 lanes (GCC vector extensions) for the log-sum-exps of ParzenEstimator::log_pdf,
// which take it for every kept sample-kernel term. Internal to samplers/tpe.
#pragma once

namespace hpo::tpe::lanes {

using V2d = double __attribute__((vector_size(16)));
using V2i = long long __attribute__((vector_size(16)));

inline constexpr double kLog2e = 1.4426950408889634;
inline constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 in two parts: k * kLn2Hi
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;  // is exact for |k| < 2^11
inline constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer

// exp(x) in both lanes, for x <= 0, to a relative error below 5e-16: exp(r) for
// |r| <= ln(2)/2 by its Taylor polynomial to r^12 (remainder below 2e-16) in Estrin's scheme
// (short dependency chains), times 2^k built from k's bits. Arguments below -700 count as -700,
// whose exp (1e-304) is nothing next to a log-sum-exp's largest term, 1.
inline V2d exp_nonpositive(V2d x) {
  const V2d floor = {-700.0, -700.0};
  x = x < floor ? floor : x;
  const V2d rounded = x * kLog2e + kRound;  // k in its low mantissa bits
  const V2d k = rounded - kRound;
  const V2d r = (x - k * kLn2Hi) - k * kLn2Lo;
  const V2d r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const V2d q0 = 1.0 + r, q1 = 1.0 / 2 + r * (1.0 / 6), q2 = 1.0 / 24 + r * (1.0 / 120),
            q3 = 1.0 / 720 + r * (1.0 / 5040), q4 = 1.0 / 40320 + r * (1.0 / 362880),
            q5 = 1.0 / 3628800 + r * (1.0 / 39916800);
  const V2d poly =
      ((q0 + q1 * r2) + (q2 + q3 * r2) * r4) + ((q4 + q5 * r2) + (1.0 / 479001600) * r4) * r8;
  const V2i scale_bits = ((V2i)rounded + 1023) << 52;  // 2^k
  return poly * (V2d)scale_bits;
}

}  // namespace hpo::tpe::lanes
