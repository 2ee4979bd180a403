// OptionReader: typed, named reads of a JSON options object, with did-you-mean errors.
#include "core/option_reader.h"

#include <algorithm>
#include <cctype>

namespace hpo {
namespace {

// Optimal string alignment distance: edits, with a swap of neighbours counting as one.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                            std::tolower(static_cast<unsigned char>(b[j - 1]))
                        ? 0
                        : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
  return s;
}

// A value as messages show it. Strings from URLs and files need not be UTF-8: invalid bytes
// become U+FFFD rather than a json type_error in place of the message.
std::string shown(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& known) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const auto& k : known) {
    size_t dist = edit_distance(word, k);
    if (!best || dist < best_distance) {
      best = k;
      best_distance = dist;
    }
  }
  if (!best) return std::nullopt;
  size_t limit = std::max<size_t>(2, std::max(word.size(), best->size()) / 3);
  if (best_distance > limit || best_distance >= std::max(word.size(), best->size())) {
    return std::nullopt;
  }
  return best;
}

OptionReader::OptionReader(std::string what, const nlohmann::json& options)
    : what_(std::move(what)), options_(options.is_null() ? nlohmann::json::object() : options) {
  if (!options_.is_object()) {
    throw std::invalid_argument(what_ + ": options must be a JSON object of name: value, got " +
                                shown(options));
  }
}

const nlohmann::json& OptionReader::get_json(std::string_view key) {
  static const nlohmann::json kNull;
  known_.emplace_back(key);
  auto it = options_.find(std::string(key));
  return it == options_.end() ? kNull : *it;
}

void OptionReader::finish() const {
  for (const auto& [key, value] : options_.items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string message = what_ + ": unknown option '" + key + "'";
    if (auto guess = did_you_mean(key, known_)) message += " (did you mean '" + *guess + "'?)";
    std::vector<std::string> sorted = known_;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    message += sorted.empty() ? "; it takes no options" : "; known options: " + join(sorted);
    throw std::invalid_argument(message);
  }
}

void OptionReader::fail(std::string_view key, const nlohmann::json& v,
                        std::string_view expected) const {
  throw std::invalid_argument(what_ + ": option '" + std::string(key) + "' must be " +
                              std::string(expected) + ", got " + shown(v));
}

}  // namespace hpo
