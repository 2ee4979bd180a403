// Reads an implementation's options from a JSON object, for the factory. Each read names the
// option in its error; finish() rejects keys nobody read, suggesting the closest known one.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace hpo {

// The known word closest to `word` by edit distance, if any is close enough to suggest.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& known);

class OptionReader {
 public:
  // `what` names the owner in messages, e.g. "sampler 'tpe'". A null `options` counts as {}.
  // Throws std::invalid_argument if `options` is neither null nor an object.
  OptionReader(std::string what, const nlohmann::json& options);

  // Returns the option's value, or `fallback` if absent (or null). T is bool, an integer type,
  // double or std::string. Throws std::invalid_argument for a value of the wrong type.
  template <class T>
  T get(std::string_view key, T fallback) {
    return get_optional<T>(key).value_or(fallback);
  }

  template <class T>
  std::optional<T> get_optional(std::string_view key) {
    known_.emplace_back(key);
    auto it = options_.find(std::string(key));
    if (it == options_.end() || it->is_null()) return std::nullopt;
    const nlohmann::json& v = *it;
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) fail(key, v, "true or false");
      return v.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      // Range-checked: a cast of an out-of-range double is undefined, and an out-of-range
      // integer would silently wrap (max_retry=1e300, n_startup_trials: 4294967297).
      std::optional<T> in_range;
      if (v.is_number_unsigned()) {
        if (std::in_range<T>(v.get<uint64_t>())) in_range = static_cast<T>(v.get<uint64_t>());
      } else if (v.is_number_integer()) {
        if (std::in_range<T>(v.get<int64_t>())) in_range = static_cast<T>(v.get<int64_t>());
      } else if (v.is_number_float() && std::isfinite(v.get<double>()) &&
                 v.get<double>() == std::floor(v.get<double>())) {
        // Beyond 2^53 a double no longer holds every integer; such a value is no count.
        double d = v.get<double>();
        if (std::abs(d) <= 9007199254740992.0 && std::in_range<T>(static_cast<int64_t>(d)))
          in_range = static_cast<T>(d);
      } else {
        fail(key, v, "an integer");
      }
      if (!in_range) {
        fail(key, v, "an integer from " + std::to_string(std::numeric_limits<T>::min()) +
                         " to " + std::to_string(std::numeric_limits<T>::max()));
      }
      return in_range;
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!v.is_number()) fail(key, v, "a number");
      return static_cast<T>(v.get<double>());
    } else {
      if (!v.is_string()) fail(key, v, "a string");
      return v.get<std::string>();
    }
  }

  // The raw JSON of an option (for nested options such as a wrapped pruner), or null.
  const nlohmann::json& get_json(std::string_view key);

  // Throws std::invalid_argument naming the first key that no get* asked for.
  void finish() const;

  const std::string& what() const { return what_; }

 private:
  [[noreturn]] void fail(std::string_view key, const nlohmann::json& v,
                         std::string_view expected) const;

  std::string what_;
  nlohmann::json options_;
  std::vector<std::string> known_;
};

}  // namespace hpo
