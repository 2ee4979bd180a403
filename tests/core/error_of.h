// The message of the std::invalid_argument that f throws, or "<no error>" if it throws none:
// the tests of bad input check messages, not just that something was thrown.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace hpo::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace hpo::testing
