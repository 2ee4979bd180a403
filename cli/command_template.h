// The objective command template: {name} placeholders, shell quoting, params as text.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/distribution.h"

namespace hpo::cli {

// The length of the placeholder "{identifier}" starting at text[open], or 0 if there is none
// there (identifiers: a letter or '_', then letters, digits, '_'; other braces are literal).
size_t placeholder_length(const std::string& text, size_t open);

// Rewrites each placeholder "{name}" of a command template with replace(name), leaving it as
// is when replace returns nullopt. "{{name}}" is the literal text {name}; "${name}" is left to
// the shell; braces around anything but an identifier are literal (awk, shell blocks).
std::string expand_placeholders(
    const std::string& command,
    const std::function<std::optional<std::string>(const std::string&)>& replace);

// The placeholder names of a command template, in order.
std::vector<std::string> placeholders_in(const std::string& command);

// The command with each {name} replaced by the shell-quoted value of that parameter (or of
// "trial_number").
std::string substitute_placeholders(const std::string& command,
                                    const std::map<std::string, std::string>& values);

// `value` quoted for /bin/sh: bare when it is made of safe characters, else in single quotes.
std::string shell_quote(std::string_view value);

// A parameter value as text: strings as is, numbers in their shortest exact form.
std::string param_text(const ParamValue& value);

}  // namespace hpo::cli
