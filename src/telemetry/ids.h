// Trace and span identifiers (W3C Trace Context) and their random generation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tdemo::telemetry {

// A 128-bit trace id. All-zero is the invalid id. Value type; thread-compatible.
struct TraceId {
  std::array<std::uint8_t, 16> bytes{};

  bool valid() const noexcept;
  // 32 lowercase hex characters.
  std::string hex() const;
  void write_hex(char* out) const noexcept;  // writes exactly 32 chars, no terminator
  // Parses exactly 32 lowercase hex characters; nullopt otherwise (uppercase is rejected,
  // as W3C Trace Context requires). The all-zero id parses (callers check valid()).
  static std::optional<TraceId> from_hex(std::string_view hex) noexcept;
  friend bool operator==(const TraceId&, const TraceId&) = default;
};

// A 64-bit span id. All-zero is the invalid id.
struct SpanId {
  std::array<std::uint8_t, 8> bytes{};

  bool valid() const noexcept;
  std::string hex() const;                   // 16 lowercase hex characters
  void write_hex(char* out) const noexcept;  // writes exactly 16 chars
  static std::optional<SpanId> from_hex(std::string_view hex) noexcept;
  friend bool operator==(const SpanId&, const SpanId&) = default;
};

// Random, never-invalid ids from a per-thread generator seeded from the OS.
// Thread-safe: each thread has its own state, no locks.
TraceId random_trace_id() noexcept;
SpanId random_span_id() noexcept;

}  // namespace tdemo::telemetry
