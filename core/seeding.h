// Deterministic seeds derived from a study's seed, so that randomness depends on what a draw is
// for (which trial, which parameter), not on the order in which threads happen to ask.
//
// A seeded study that is resumed continues with trial numbers it has not used, so it never
// replays the parameters it already tried (Optuna's seeded samplers restart their stream).
#pragma once

#include <cstdint>
#include <string_view>

namespace hpo {

// SplitMix64's finalizer: a bijective mix with good avalanche (Steele et al., 2014).
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a: a hash of a parameter name that is the same on every platform and build.
constexpr uint64_t stable_hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The seed for one trial's draws: distinct for every (study seed, trial number, stream).
constexpr uint64_t trial_seed(uint64_t study_seed, int64_t trial_number, uint64_t stream = 0) {
  return mix64(mix64(study_seed ^ mix64(static_cast<uint64_t>(trial_number))) ^ stream);
}

}  // namespace hpo
