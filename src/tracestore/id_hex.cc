#include "tracestore/id_hex.h"

#include <array>
#include <cstdint>

namespace tdemo::tracestore {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

template <std::size_t N>
std::string bytes_hex(const std::array<std::uint8_t, N>& bytes) {
  std::string out(N * 2, '0');
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <std::size_t N>
bool parse_padded(std::string_view hex, std::array<std::uint8_t, N>& out) noexcept {
  if (hex.empty() || hex.size() > N * 2) return false;
  out.fill(0);
  const std::size_t pad = N * 2 - hex.size();
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const int v = nibble(hex[i]);
    if (v < 0) return false;
    const std::size_t pos = pad + i;
    out[pos / 2] |= static_cast<std::uint8_t>((pos % 2 == 0) ? (v << 4) : v);
  }
  return true;
}

}  // namespace

bool is_valid(const telemetry::TraceId& id) noexcept {
  for (auto b : id.bytes) if (b) return true;
  return false;
}
bool is_valid(const telemetry::SpanId& id) noexcept {
  for (auto b : id.bytes) if (b) return true;
  return false;
}

std::string to_hex(const telemetry::TraceId& id) { return bytes_hex(id.bytes); }
std::string to_hex(const telemetry::SpanId& id) { return bytes_hex(id.bytes); }

std::string jaeger_trace_id(const telemetry::TraceId& id) {
  std::string hex = bytes_hex(id.bytes);
  if (hex.compare(0, 16, "0000000000000000") == 0) return hex.substr(16);
  return hex;
}

std::optional<telemetry::TraceId> parse_trace_id(std::string_view hex) noexcept {
  telemetry::TraceId id;
  if (!parse_padded(hex, id.bytes)) return std::nullopt;
  return id;
}

std::optional<telemetry::SpanId> parse_span_id(std::string_view hex) noexcept {
  telemetry::SpanId id;
  if (!parse_padded(hex, id.bytes)) return std::nullopt;
  return id;
}

}  // namespace tdemo::tracestore
