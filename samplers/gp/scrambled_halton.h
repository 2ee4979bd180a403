// A scrambled Halton sequence: quasi-random points in [0, 1)^d.
//
// Dimension j uses the j-th prime as its base; the digits of every position are passed through
// a random permutation drawn from the seed (Owen-style random digit scrambling, as in
// Mascagni & Chi, "On the scrambled Halton sequence", 2004). Scrambling breaks the strong
// correlation between high dimensions of the plain Halton sequence and makes the sequence a
// function of the seed. We use Halton rather than Sobol because it needs no direction-number
// tables or extra dependency, works for any index and any number of dimensions, and at the
// sizes we need (tens of dimensions, a few thousand points) the two are equally good.
#pragma once

#include <cstdint>
#include <vector>

namespace hpo {

class ScrambledHalton {
 public:
  // Throws std::invalid_argument if dims < 1.
  ScrambledHalton(int dims, uint64_t seed);

  int dims() const { return dims_; }
  // Writes point number `index` (0, 1, ...) into out[0..dims). Deterministic and thread-safe.
  void point(uint64_t index, double* out) const;

 private:
  struct Axis {
    uint32_t base = 2;
    int n_digits = 0;  // digits kept: base^-n_digits is below double precision
    std::vector<uint16_t> perms;  // n_digits permutations of 0..base-1, back to back
  };
  int dims_;
  std::vector<Axis> axes_;
};

}  // namespace hpo
