#include "cli/metric_parser.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <yaml-cpp/yaml.h>

namespace hpo::cli {
namespace {

constexpr std::string_view kBlanks = " \t\r\n";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kBlanks);
  return s.substr(b, e - b + 1);
}

// Python's json.dumps writes the bare tokens NaN, Infinity and -Infinity, which strict JSON
// rejects. Outside strings they are turned into marker strings that number_of() reads back.
std::string quote_non_finite_tokens(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool matched = false;
    for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
      if (text.substr(i, token.size()) == token) {
        out += '"';
        out += token;
        out += '"';
        i += token.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out += c;
  }
  return out;
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s == "NaN" || s == "nan" || s == "-nan" || s == ".nan" || s == ".NaN") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (s == "Infinity" || s == "inf" || s == "+inf" || s == ".inf" || s == "+Infinity") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-Infinity" || s == "-inf" || s == "-.inf") {
    return -std::numeric_limits<double>::infinity();
  }
  if (s.front() == '+') s.remove_prefix(1);
  double value = 0.0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// A JSON number, or a string that holds one (including the non-finite markers).
std::optional<double> number_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return parse_double(v.get<std::string>());
  return std::nullopt;
}

const nlohmann::json* find_key(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  if (auto it = object.find(key); it != object.end()) return &*it;
  const nlohmann::json* node = &object;
  size_t start = 0;
  while (start <= key.size()) {
    size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
  return nullptr;
}

// Aliases let a few hundred bytes of YAML name a tree of 10^8 values (each level a list of
// ten aliases of the one before), or an endless one (an alias inside its own anchor): copying
// counts the values and the depth and stops past these.
constexpr size_t kMaxYamlValues = 100000;
constexpr int kMaxYamlDepth = 100;

struct TooLarge {};

nlohmann::json yaml_to_json(const YAML::Node& node, size_t& budget, int depth = 0) {
  if (budget == 0 || depth > kMaxYamlDepth) throw TooLarge{};
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& kv : node) {
        j[kv.first.as<std::string>()] = yaml_to_json(kv.second, budget, depth + 1);
      }
      return j;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& item : node) j.push_back(yaml_to_json(item, budget, depth + 1));
      return j;
    }
    case YAML::NodeType::Scalar:
      // Scalars stay strings; number_of() reads the numbers among them.
      return node.Scalar();
    default:
      return nullptr;
  }
}

std::string describe(const nlohmann::json& v) {
  // Output is not necessarily UTF-8: invalid bytes become U+FFFD instead of an exception.
  std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

}  // namespace

std::optional<nlohmann::json> parse_json_object_line(std::string_view line) {
  line = trim(line);
  if (line.size() < 2 || line.front() != '{' || line.back() != '}') return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    j = nlohmann::json::parse(quote_non_finite_tokens(line), nullptr, false);
  }
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<IntermediateValue> parse_intermediate(std::string_view line, std::string_view key) {
  std::optional<nlohmann::json> j = parse_json_object_line(line);
  if (!j) return std::nullopt;
  auto step = j->find("step");
  if (step == j->end() || !step->is_number_integer()) return std::nullopt;
  if (step->is_number_unsigned()) {
    if (step->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
  } else if (step->get<int64_t>() < 0) {
    return std::nullopt;
  }
  const nlohmann::json* v = find_key(*j, std::string(key));
  if (v == nullptr) return std::nullopt;
  std::optional<double> value = number_of(*v);
  if (!value) return std::nullopt;
  return IntermediateValue{step->get<int64_t>(), *value};
}

MetricResult read_metric_keys(const nlohmann::json& object, const std::vector<std::string>& keys,
                              std::string_view where) {
  MetricResult result;
  for (const std::string& key : keys) {
    const nlohmann::json* v = find_key(object, key);
    if (v == nullptr) {
      result.error = "missing metric: " + std::string(where) + " has no key '" + key + "'";
      result.values.clear();
      return result;
    }
    std::optional<double> value = number_of(*v);
    if (!value) {
      result.error = "garbage metric: '" + key + "' in " + std::string(where) + " is " +
                     describe(*v) + ", not a number";
      result.values.clear();
      return result;
    }
    if (!std::isfinite(*value)) {
      result.error = "non-finite metric: '" + key + "' in " + std::string(where) + " is " +
                     describe(*v);
      result.values.clear();
      return result;
    }
    result.values.push_back(*value);
  }
  return result;
}

MetricResult parse_final_json_line(const std::optional<std::string>& last_json_line,
                                   const std::vector<std::string>& keys) {
  if (!last_json_line) {
    MetricResult result;
    result.error = "missing metric: the command printed no JSON line on stdout";
    return result;
  }
  std::optional<nlohmann::json> j = parse_json_object_line(*last_json_line);
  if (!j) {
    MetricResult result;
    result.error = "garbage metric: the last JSON line on stdout is not a JSON object";
    return result;
  }
  return read_metric_keys(*j, keys, "the last JSON line on stdout");
}

MetricResult parse_metric_document(std::string_view text, bool yaml,
                                   const std::vector<std::string>& keys, std::string_view where) {
  MetricResult result;
  nlohmann::json document;
  if (yaml) {
    try {
      size_t budget = kMaxYamlValues;
      document = yaml_to_json(YAML::Load(std::string(text)), budget);
    } catch (const YAML::Exception& e) {
      result.error = "garbage metric: " + std::string(where) + " is not valid YAML (" + e.msg + ")";
      return result;
    } catch (const TooLarge&) {
      result.error = "garbage metric: " + std::string(where) + " holds more than " +
                     std::to_string(kMaxYamlValues) + " values or " +
                     std::to_string(kMaxYamlDepth) + " levels once its YAML aliases are expanded";
      return result;
    }
  } else {
    document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded()) {
      document = nlohmann::json::parse(quote_non_finite_tokens(text), nullptr, false);
    }
    if (document.is_discarded()) {
      result.error = "garbage metric: " + std::string(where) + " is not valid JSON";
      return result;
    }
  }
  if (!document.is_object()) {
    result.error = "garbage metric: " + std::string(where) + " does not hold a mapping of keys";
    return result;
  }
  return read_metric_keys(document, keys, where);
}

std::optional<double> last_number_in(std::string_view line) {
  constexpr std::string_view kSeparators = " \t\r\n=:,;";
  size_t end = line.size();
  while (end > 0) {
    size_t last = line.find_last_not_of(kSeparators, end - 1);
    if (last == std::string_view::npos) break;
    size_t first = line.find_last_of(kSeparators, last);
    size_t begin = first == std::string_view::npos ? 0 : first + 1;
    if (std::optional<double> v = parse_double(line.substr(begin, last - begin + 1))) return v;
    if (begin == 0) break;
    end = begin;
  }
  return std::nullopt;
}

MetricResult parse_final_last_number(std::optional<double> last_number) {
  MetricResult result;
  if (!last_number) {
    result.error = "missing metric: the command printed no number on stdout";
  } else if (!std::isfinite(*last_number)) {
    result.error = "non-finite metric: the last number on stdout is " +
                   std::string(std::isnan(*last_number) ? "nan" : "inf");
  } else {
    result.values.push_back(*last_number);
  }
  return result;
}

}  // namespace hpo::cli
