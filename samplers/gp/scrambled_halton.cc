// ScrambledHalton: random digit permutations over prime bases.
#include "samplers/gp/scrambled_halton.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace hpo {
namespace {

std::vector<uint32_t> first_primes(int n) {
  std::vector<uint32_t> primes;
  for (uint32_t c = 2; static_cast<int>(primes.size()) < n; ++c) {
    bool prime = true;
    for (uint32_t p : primes) {
      if (p * p > c) break;
      if (c % p == 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push_back(c);
  }
  return primes;
}

}  // namespace

ScrambledHalton::ScrambledHalton(int dims, uint64_t seed) : dims_(dims) {
  if (dims < 1) throw std::invalid_argument("dims must be >= 1, got " + std::to_string(dims));
  std::mt19937_64 rng(seed);
  for (uint32_t base : first_primes(dims)) {
    Axis a;
    a.base = base;
    // Digits beyond 2^-53 cannot change the double; scrambling them too keeps points away
    // from the exact lattice of the unscrambled sequence.
    a.n_digits = static_cast<int>(std::ceil(53.0 * std::log(2.0) / std::log(base)));
    a.perms.resize(static_cast<size_t>(a.n_digits) * base);
    for (int k = 0; k < a.n_digits; ++k) {
      uint16_t* p = a.perms.data() + static_cast<size_t>(k) * base;
      std::iota(p, p + base, uint16_t{0});
      std::shuffle(p, p + base, rng);
    }
    axes_.push_back(std::move(a));
  }
}

void ScrambledHalton::point(uint64_t index, double* out) const {
  for (int j = 0; j < dims_; ++j) {
    const Axis& a = axes_[j];
    uint64_t i = index;
    double scale = 1.0 / a.base;
    double v = 0.0;
    for (int k = 0; k < a.n_digits; ++k) {
      const uint32_t digit = static_cast<uint32_t>(i % a.base);
      i /= a.base;
      v += a.perms[static_cast<size_t>(k) * a.base + digit] * scale;
      scale /= a.base;
    }
    out[j] = v < 1.0 ? v : std::nextafter(1.0, 0.0);
  }
}

}  // namespace hpo
