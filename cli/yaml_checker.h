// Reading a YAML study file while collecting every problem, each with its line and field.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/distribution.h"

namespace hpo::cli {

// Collects "file:line: field: problem; fix" lines. Each read names the field it reads and
// returns nullopt (after recording the problem) when the value does not fit.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  // A problem at `at`'s line (no line when the node is undefined).
  void problem(const YAML::Node& at, const std::string& field, const std::string& message);
  void add(int line, const std::string& field, const std::string& message);

  // Rejects keys of `map` not in `known`, with a did-you-mean (or the list of known keys).
  void check_keys(const YAML::Node& map, const std::string& field,
                  const std::vector<std::string>& known);

  // Reports every key given twice in a mapping anywhere under `n`: YAML parsers keep the first
  // and drop the other silently, so a pasted block could quietly change nothing. Each node is
  // visited once: an alias shares its anchor's node, so without that a few lines of nested
  // aliases would be walked billions of times, and an alias inside its own anchor forever.
  void check_duplicate_keys(const YAML::Node& n, const std::string& field);

  std::optional<std::string> string(const YAML::Node& n, const std::string& field);
  std::optional<double> number(const YAML::Node& n, const std::string& field);  // finite
  std::optional<int64_t> integer(const YAML::Node& n, const std::string& field);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& field);
  // False (and a problem showing `example`) unless `n` is a mapping.
  bool is_map(const YAML::Node& n, const std::string& field, const std::string& example);

  // "a.b", or "b" when `a` is empty.
  static std::string join(const std::string& a, const std::string& b);
  // A node as a message shows it: its scalar text, or "a list", "a mapping", "nothing".
  static std::string text(const YAML::Node& n);

  const std::string& file() const { return file_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  static constexpr int kMaxDuplicateKeyDepth = 64;
  void check_duplicate_keys(const YAML::Node& n, const std::string& field,
                            std::set<size_t>& visited, int depth);

  std::string file_;
  std::vector<std::string> problems_;
};

// A categorical choice from a YAML scalar: quoted scalars are strings; plain ones are read as
// null, bool, integer or float when they look like one.
ParamValue choice_of(const YAML::Node& n);

// A YAML node as JSON, scalars typed as choice_of() types them (for sampler/pruner options).
// Throws std::invalid_argument past 100000 values, aliases expanded (a "billion laughs").
nlohmann::json yaml_to_json(const YAML::Node& n);

}  // namespace hpo::cli
