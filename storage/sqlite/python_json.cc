#include "storage/sqlite/python_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace hpo::sqlite {
namespace {

void append_string(std::string& out, const std::string& s) {
  out += '"';
  // Decode UTF-8 so that every non-ASCII code point becomes \uXXXX (surrogate pairs above
  // the BMP), as Python's ensure_ascii does.
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0x80) {
      if ((c & 0xe0) == 0xc0) { cp = c & 0x1f; len = 2; }
      else if ((c & 0xf0) == 0xe0) { cp = c & 0x0f; len = 3; }
      else { cp = c & 0x07; len = 4; }
      for (size_t k = 1; k < len && i + k < s.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += len;
    char buf[16];
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (cp < 0x20 || (cp >= 0x7f && cp < 0x10000)) {
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
          out += buf;
        } else if (cp >= 0x10000) {
          uint32_t v = cp - 0x10000;
          std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
          out += buf;
        } else {
          out += static_cast<char>(cp);
        }
    }
  }
  out += '"';
}

void append(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: out += "null"; break;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case nlohmann::json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); break;
    case nlohmann::json::value_t::number_float: out += python_float_repr(v.get<double>()); break;
    case nlohmann::json::value_t::string: append_string(out, v.get_ref<const std::string&>()); break;
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        append(out, e);
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        append_string(out, key);
        out += ": ";
        append(out, e);
      }
      out += '}';
      break;
    }
    default: out += "null"; break;
  }
}

}  // namespace

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0.0) return std::signbit(v) ? "-0.0" : "0.0";
  // Shortest round-trip digits in scientific form, then laid out by Python's repr rule:
  // positional when -4 <= exponent < 16, scientific otherwise.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
      out += digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
             digits.substr(static_cast<size_t>(exponent) + 1);
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  }
  return out;
}

std::string python_json_dumps(const nlohmann::json& value) {
  std::string out;
  append(out, value);
  return out;
}

nlohmann::json python_json_loads(std::string_view text) {
  // nlohmann's parser rejects Python's NaN/Infinity tokens: they are first rewritten (outside
  // strings) to placeholder strings that no real value holds, and turned back into doubles
  // by the parser callback.
  static const std::string kNan = std::string(1, '\0') + "NaN";
  static const std::string kInf = std::string(1, '\0') + "Inf";
  static const std::string kNegInf = std::string(1, '\0') + "-Inf";
  std::string rewritten;
  rewritten.reserve(text.size());
  bool in_string = false;
  bool special = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      rewritten += c;
      if (c == '\\' && i + 1 < text.size()) rewritten += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (text.compare(i, 3, "NaN") == 0) {
      rewritten += "\"\\u0000NaN\"";
      i += 2;
      special = true;
    } else if (text.compare(i, 8, "Infinity") == 0) {
      rewritten += "\"\\u0000Inf\"";
      i += 7;
      special = true;
    } else if (text.compare(i, 9, "-Infinity") == 0) {
      rewritten += "\"\\u0000-Inf\"";
      i += 8;
      special = true;
    } else {
      rewritten += c;
    }
  }
  nlohmann::json::parser_callback_t restore = nullptr;
  if (special) {
    restore = [](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      if (event == nlohmann::json::parse_event_t::value && parsed.is_string()) {
        const auto& s = parsed.get_ref<const std::string&>();
        if (s == kNan) parsed = std::numeric_limits<double>::quiet_NaN();
        else if (s == kInf) parsed = std::numeric_limits<double>::infinity();
        else if (s == kNegInf) parsed = -std::numeric_limits<double>::infinity();
      }
      return true;
    };
  }
  try {
    return nlohmann::json::parse(rewritten, restore);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument("invalid JSON '" + std::string(text) + "': " + e.what());
  }
}

}  // namespace hpo::sqlite
