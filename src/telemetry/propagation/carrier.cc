#include "telemetry/propagation.h"
#include "telemetry/propagation/text_util.h"

namespace tdemo::telemetry {

namespace text {

bool percent_decode(std::string_view in, std::string& out) {
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = digit(in[i + 1]);
    const int lo = digit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace text

std::optional<std::string> HeaderListCarrier::get(std::string_view key) const {
  std::optional<std::string> value;
  for (const auto& [name, header_value] : headers_) {
    if (!text::iequals(name, key)) continue;
    if (value) {
      *value += ',';
      *value += header_value;
    } else {
      value = header_value;
    }
  }
  return value;
}

void HeaderListCarrier::set(std::string_view key, std::string_view value) {
  std::erase_if(headers_, [&](const Header& header) { return text::iequals(header.first, key); });
  headers_.emplace_back(std::string(key), std::string(value));
}

std::vector<std::string> HeaderListCarrier::keys() const {
  std::vector<std::string> out;
  out.reserve(headers_.size());
  for (const auto& header : headers_) out.push_back(header.first);
  return out;
}

}  // namespace tdemo::telemetry
