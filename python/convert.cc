// Conversions between Python objects and hpo's value types.
#include "python/convert.h"

#include <chrono>
#include <stdexcept>
#include <string>

namespace hpo::python {
namespace {

std::string type_name(py::handle value) {
  return py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>();
}

}  // namespace

ParamValue param_value_from_py(py::handle value) {
  if (value.is_none()) return std::monostate{};
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) return value.cast<int64_t>();
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  // numpy scalars and the like: they know their own number kind.
  if (py::hasattr(value, "dtype") && py::hasattr(value, "item")) {
    return param_value_from_py(value.attr("item")());
  }
  throw std::invalid_argument("a parameter value must be None, bool, int, float or str, got " +
                              type_name(value));
}

py::object param_value_to_py(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> py::object {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return py::none();
        } else {
          return py::cast(v);
        }
      },
      value);
}

nlohmann::json json_from_py(py::handle value) {
  if (value.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) return value.cast<int64_t>();
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::dict>(value)) {
    nlohmann::json object = nlohmann::json::object();
    for (auto [k, v] : value.cast<py::dict>()) {
      object[py::str(k).cast<std::string>()] = json_from_py(v);
    }
    return object;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    nlohmann::json array = nlohmann::json::array();
    for (py::handle item : value) array.push_back(json_from_py(item));
    return array;
  }
  if (py::hasattr(value, "dtype") && py::hasattr(value, "item")) {
    return json_from_py(value.attr("item")());
  }
  if (py::hasattr(value, "tolist")) return json_from_py(value.attr("tolist")());
  throw std::invalid_argument("cannot store a value of type " + type_name(value) +
                              " (use None, bool, int, float, str, list or dict)");
}

py::object json_to_py(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(value.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(value.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(value.get<uint64_t>());
    case nlohmann::json::value_t::number_float:
      return py::float_(value.get<double>());
    case nlohmann::json::value_t::string:
      return py::str(value.get<std::string>());
    case nlohmann::json::value_t::array: {
      py::list list;
      for (const auto& item : value) list.append(json_to_py(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      py::dict dict;
      for (const auto& [k, v] : value.items()) dict[py::str(k)] = json_to_py(v);
      return dict;
    }
    default:
      return py::none();
  }
}

py::object time_to_py(const std::optional<Clock::time_point>& time) {
  if (!time) return py::none();
  double seconds =
      std::chrono::duration<double>(time->time_since_epoch()).count();
  return py::module_::import("datetime").attr("datetime").attr("fromtimestamp")(seconds);
}

}  // namespace hpo::python
