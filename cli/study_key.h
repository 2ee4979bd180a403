// The study key: what makes two runs of a study file "the same study".
//
// The key is a SHA-256 over the canonical study definition (directions, sampler and pruner
// with options, search space, objective: command, metric, per-trial timeout, environment,
// working folder) and over the contents of every declared input, folders walked in sorted
// order. The budget, n_jobs, grace period, storage and outputs are left out: changing them
// continues the same study. Paths enter relative to the study file's folder, so a clone in
// another place has the same key.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/study_file.h"

namespace hpo::cli {

// Incremental SHA-256 (OpenSSL EVP). Not copyable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // The digest as 64 lowercase hex digits; the object cannot be updated afterwards.
  std::string hex_digest();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept out of the header
};

// The definition part of the key as canonical JSON (sorted keys, no whitespace).
nlohmann::json canonical_definition(const StudyFile& file);

// The full key, 64 hex digits. Throws std::runtime_error if an input cannot be read.
std::string study_key(const StudyFile& file);

// The study's name: study_name if the file gives one, else "<stem>-<first 12 hex of the key>".
std::string study_name_for(const StudyFile& file);

}  // namespace hpo::cli
