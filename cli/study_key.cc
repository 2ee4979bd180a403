#include "cli/study_key.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <openssl/evp.h>

namespace hpo::cli {
namespace fs = std::filesystem;
namespace {

EVP_MD_CTX* ctx_of(void* p) { return static_cast<EVP_MD_CTX*>(p); }

std::string relative_to(const std::string& path, const std::string& dir) {
  return fs::path(path).lexically_relative(dir).generic_string();
}

// Each entry is framed by its kind, path and size, so no two input sets hash alike.
void hash_file(Sha256& sha, const fs::path& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read input '" + path.string() + "'");
  sha.update("file");
  sha.update(std::string_view("\0", 1));
  sha.update(name);
  sha.update(std::string_view("\0", 1));
  sha.update(std::to_string(fs::file_size(path)));
  sha.update(std::string_view("\0", 1));
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    sha.update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
}

void hash_input(Sha256& sha, const std::string& input, const std::string& dir) {
  if (!fs::is_directory(input)) {
    hash_file(sha, input, relative_to(input, dir));
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(input)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  sha.update("dir");
  sha.update(std::string_view("\0", 1));
  sha.update(relative_to(input, dir));
  sha.update(std::string_view("\0", 1));
  for (const fs::path& f : files) hash_file(sha, f, relative_to(f.string(), dir));
}

nlohmann::json metric_json(const MetricSpec& m, const std::string& dir) {
  nlohmann::json j;
  switch (m.source) {
    case MetricSource::kStdoutJson: j["from"] = "stdout"; break;
    case MetricSource::kFile: j["from"] = "file"; break;
    case MetricSource::kLastNumber: j["from"] = "last_number"; break;
  }
  j["keys"] = m.keys;
  if (!m.file.empty()) j["file"] = relative_to(m.file, dir);
  return j;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_of(ctx_), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: cannot start a SHA-256 digest");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_of(ctx_)); }

void Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(ctx_of(ctx_), bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
  }
}

std::string Sha256::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx_of(ctx_), digest, &size) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  }
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

nlohmann::json canonical_definition(const StudyFile& file) {
  nlohmann::json j;
  nlohmann::json directions = nlohmann::json::array();
  for (StudyDirection d : file.directions) directions.push_back(std::string(to_string(d)));
  j["directions"] = directions;
  j["sampler"] = {{"name", file.sampler}, {"options", file.sampler_options}};
  j["pruner"] = {{"name", file.pruner}, {"options", file.pruner_options}};
  // An array of [name, distribution] keeps the file's order, which the command may depend on.
  nlohmann::json space = nlohmann::json::array();
  for (const ParamSpec& p : file.search_space) {
    space.push_back({p.name, distribution_to_json(p.distribution)});
  }
  j["search_space"] = space;
  const ObjectiveSpec& o = file.objective;
  j["objective"] = {{"command", o.command},
                    {"metric", metric_json(o.metric, file.dir)},
                    {"timeout", o.timeout_seconds ? nlohmann::json(*o.timeout_seconds) : nullptr},
                    {"env", o.env},
                    {"working_dir", relative_to(o.working_dir, file.dir)}};
  return j;
}

std::string study_key(const StudyFile& file) {
  Sha256 sha;
  sha.update("hpo-study-key-v1");
  sha.update(std::string_view("\0", 1));
  sha.update(canonical_definition(file).dump());
  std::vector<std::string> inputs = file.inputs;
  std::sort(inputs.begin(), inputs.end());
  inputs.erase(std::unique(inputs.begin(), inputs.end()), inputs.end());
  for (const std::string& input : inputs) hash_input(sha, input, file.dir);
  return sha.hex_digest();
}

std::string study_name_for(const StudyFile& file) {
  if (file.study_name) return *file.study_name;
  return file.stem + "-" + study_key(file).substr(0, 12);
}

}  // namespace hpo::cli
