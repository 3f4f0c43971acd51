// Python's float repr() and PyYAML's float text, declared in emitter.h.

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "runtime/yaml/emitter.h"

namespace kfpc::yaml {

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // The shortest digits that read back to the same double, as Python's repr() picks them.
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value,
                              std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);  // "-1.2345e+02"
  std::string sign;
  if (!scientific.empty() && scientific[0] == '-') {
    sign = "-";
    scientific.erase(0, 1);
  }
  size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  int exponent = std::stoi(scientific.substr(e + 1));
  // Python writes the decimal form when the point falls within 16 digits of the first digit,
  // and the exponent form (at least two exponent digits, always signed) otherwise.
  int point = exponent + 1;  // digits before the decimal point
  if (point > -4 && point <= 16) {
    if (point <= 0) return sign + "0." + std::string(-point, '0') + digits;
    if (static_cast<size_t>(point) >= digits.size()) {
      return sign + digits + std::string(point - digits.size(), '0') + ".0";
    }
    return sign + digits.substr(0, point) + "." + digits.substr(point);
  }
  std::string mantissa = digits.substr(0, 1);
  if (digits.size() > 1) mantissa += "." + digits.substr(1);
  std::string exponent_text = std::to_string(std::abs(exponent));
  if (exponent_text.size() < 2) exponent_text.insert(0, "0");
  return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exponent_text;
}

std::string YamlFloat(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  std::string text = PythonFloatRepr(value);
  // YAML 1.1 floats need a '.', so `1e-05` becomes `1.0e-05`.
  size_t e = text.find('e');
  if (e != std::string::npos && text.find('.') == std::string::npos) text.insert(e, ".0");
  return text;
}

}  // namespace kfpc::yaml
