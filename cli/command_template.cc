#include "cli/command_template.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace hpo::cli {

size_t placeholder_length(const std::string& text, size_t open) {
  if (open >= text.size() || text[open] != '{') return 0;
  size_t i = open + 1;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (i >= text.size() || !(std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
    return 0;
  }
  while (i < text.size() && word(text[i])) ++i;
  return i < text.size() && text[i] == '}' ? i - open + 1 : 0;
}

std::string expand_placeholders(
    const std::string& command,
    const std::function<std::optional<std::string>(const std::string&)>& replace) {
  std::string out;
  for (size_t i = 0; i < command.size(); ++i) {
    char ch = command[i];
    if (ch != '{' || (i > 0 && command[i - 1] == '$')) {
      out += ch;
      continue;
    }
    // {{name}}: the literal text {name}.
    if (size_t inner = placeholder_length(command, i + 1);
        inner > 0 && i + 1 + inner < command.size() && command[i + 1 + inner] == '}') {
      out += command.substr(i + 1, inner);
      i += inner + 1;
      continue;
    }
    size_t length = placeholder_length(command, i);
    std::optional<std::string> value;
    if (length > 0) value = replace(command.substr(i + 1, length - 2));
    if (!value) {
      out += ch;
      continue;
    }
    out += *value;
    i += length - 1;
  }
  return out;
}

std::vector<std::string> placeholders_in(const std::string& command) {
  std::vector<std::string> names;
  expand_placeholders(command, [&](const std::string& name) -> std::optional<std::string> {
    names.push_back(name);
    return std::nullopt;
  });
  return names;
}

std::string shell_quote(std::string_view value) {
  auto safe = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_@%+=:,./-", c) != nullptr;
  };
  if (!value.empty() && std::all_of(value.begin(), value.end(), safe)) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string param_text(const ParamValue& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "None"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buffer[64];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
      return std::string(buffer, end);
    }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visitor{}, value);
}

std::string substitute_placeholders(const std::string& command,
                                    const std::map<std::string, std::string>& values) {
  return expand_placeholders(command, [&](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return shell_quote(it->second);
  });
}

}  // namespace hpo::cli
