#include "telemetry/go_json_number.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace tdemo::telemetry {

bool append_go_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) return false;
  const double magnitude = std::fabs(d);
  const bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  char buf[64];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, d,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  if (ec != std::errc()) return false;
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  // Go writes e-7 where printf-style formatting writes e-07.
  const std::size_t e = text.find("e-0");
  if (e != std::string_view::npos && text.size() == e + 4) {
    out.append(text.substr(0, e + 2));
    out.push_back(text.back());
  } else {
    out.append(text);
  }
  return true;
}

}  // namespace tdemo::telemetry
