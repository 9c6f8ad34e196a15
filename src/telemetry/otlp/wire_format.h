// Protobuf wire-format primitives for the hand-written OTLP encoder (internal to td_otlp).
// All writers take a pointer into a buffer already sized by the matching *_size function and
// return the pointer past what they wrote; they never allocate or check bounds.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tdemo::telemetry::otlp::wire {

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

constexpr std::uint32_t tag(std::uint32_t field, WireType type) noexcept {
  return (field << 3) | type;
}

// Bytes the varint encoding of `v` takes (1..10). Most lengths and values an encoder sizes are
// under 128: those take a compare, not the bit scan.
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
  if (v < 0x80) [[likely]] return 1;
  return (static_cast<std::size_t>(std::bit_width(v)) + 6) / 7;
}

// Bytes of a length-delimited field whose tag fits in one byte (fields 1..15).
constexpr std::size_t delimited_size(std::size_t payload) noexcept {
  return 1 + varint_size(payload) + payload;
}

inline char* write_varint(char* p, std::uint64_t v) noexcept {
  while (v >= 0x80) {
    *p++ = static_cast<char>(static_cast<std::uint8_t>(v) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* write_tag(char* p, std::uint32_t field, WireType type) noexcept {
  return write_varint(p, tag(field, type));
}

inline char* write_fixed64(char* p, std::uint64_t v) noexcept {
  static_assert(std::endian::native == std::endian::little, "wire format is little-endian");
  std::memcpy(p, &v, 8);
  return p + 8;
}

inline char* write_fixed32(char* p, std::uint32_t v) noexcept {
  std::memcpy(p, &v, 4);
  return p + 4;
}

inline char* write_bytes(char* p, const void* data, std::size_t n) noexcept {
  if (n != 0) std::memcpy(p, data, n);
  return p + n;
}

// tag + length + bytes.
inline char* write_delimited(char* p, std::uint32_t field, std::string_view bytes) noexcept {
  p = write_tag(p, field, kLengthDelimited);
  p = write_varint(p, bytes.size());
  return write_bytes(p, bytes.data(), bytes.size());
}

// tag + length; the caller writes the payload next.
inline char* write_header(char* p, std::uint32_t field, std::size_t length) noexcept {
  p = write_tag(p, field, kLengthDelimited);
  return write_varint(p, length);
}

}  // namespace tdemo::telemetry::otlp::wire
