// RandomSampler and the uniform draw over a distribution's internal values.
#include "samplers/random_sampler.h"

#include <algorithm>
#include <cmath>

#include "core/seeding.h"

namespace hpo {
namespace {

double uniform(std::mt19937_64& rng, double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(rng);
}

double sample_float(const FloatDistribution& d, std::mt19937_64& rng) {
  if (d.step) {
    auto n = static_cast<int64_t>(std::llround((d.high - d.low) / *d.step));
    int64_t k = std::uniform_int_distribution<int64_t>(0, n)(rng);
    return std::min(d.low + static_cast<double>(k) * *d.step, d.high);
  }
  if (d.low == d.high) return d.low;
  if (d.log) {
    double v = std::exp(uniform(rng, std::log(d.low), std::log(d.high)));
    return std::clamp(v, d.low, d.high);
  }
  return uniform(rng, d.low, d.high);
}

double sample_int(const IntDistribution& d, std::mt19937_64& rng) {
  if (d.log) {
    // Log-uniform over [low - 0.5, high + 0.5], rounded: each integer weighted by the width of
    // its cell in log space, as Optuna's transform does.
    // Log ints have low >= 1, so low - 0.5 > 0.
    double lo = std::log(static_cast<double>(d.low) - 0.5);
    double hi = std::log(static_cast<double>(d.high) + 0.5);
    double v = std::round(std::exp(uniform(rng, lo, hi)));
    return std::clamp(v, static_cast<double>(d.low), static_cast<double>(d.high));
  }
  int64_t n = (d.high - d.low) / d.step;
  int64_t k = std::uniform_int_distribution<int64_t>(0, n)(rng);
  return static_cast<double>(d.low + k * d.step);
}

}  // namespace

double sample_internal_uniform(const Distribution& d, std::mt19937_64& rng) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) return sample_float(*f, rng);
  if (const auto* i = std::get_if<IntDistribution>(&d)) return sample_int(*i, rng);
  const auto& c = std::get<CategoricalDistribution>(d);
  auto n = static_cast<int64_t>(c.choices.size());
  return static_cast<double>(std::uniform_int_distribution<int64_t>(0, n - 1)(rng));
}

RandomSampler::RandomSampler(RandomSamplerOptions options)
    : seed_(options.seed ? *options.seed : (uint64_t{std::random_device{}()} << 32) ^
                                               std::random_device{}()) {}

double RandomSampler::sample_independent(const StudyView& /*study*/, const FrozenTrial& trial,
                                         std::string_view name,
                                         const Distribution& distribution) {
  std::mt19937_64 rng(trial_seed(seed_.load(), trial.number, stable_hash(name)));
  return sample_internal_uniform(distribution, rng);
}

}  // namespace hpo
