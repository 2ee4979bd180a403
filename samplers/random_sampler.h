// Uniform random search, and the uniform draw other samplers use for their start-up trials.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>

#include "core/sampler.h"

namespace hpo {

// A uniformly drawn internal value of `d`: log-uniform for log params, a grid point for stepped
// and integer params (each point equally likely, or log-uniform over integers for log ints, as
// Optuna), a choice index for categoricals.
double sample_internal_uniform(const Distribution& d, std::mt19937_64& rng);

struct RandomSamplerOptions {
  std::optional<uint64_t> seed;  // unset: a fresh seed from std::random_device
};

// Samples every parameter independently and uniformly. Each value is drawn from a generator
// seeded by (seed, trial number, parameter name), so a seeded study gives the same params for
// the same trial numbers whatever the number of worker threads, and a resumed study continues
// with new ones. Thread-safe and lock-free: the sampler holds no mutable state but the seed.
class RandomSampler final : public Sampler {
 public:
  explicit RandomSampler(RandomSamplerOptions options = {});

  SearchSpace infer_relative_search_space(const StudyView&, const FrozenTrial&) override {
    return {};
  }
  InternalParams sample_relative(const StudyView&, const FrozenTrial&,
                                 const SearchSpace&) override {
    return {};
  }
  double sample_independent(const StudyView& study, const FrozenTrial& trial,
                            std::string_view name, const Distribution& distribution) override;
  void reseed(uint64_t seed) override { seed_ = seed; }

 private:
  std::atomic<uint64_t> seed_;
};

}  // namespace hpo
