// gzip (RFC 1952) compression for OTLP bodies, with zlib.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tdemo::telemetry::otlp {

// Default cap on decompressed output: a body past this is rejected (decompression bomb guard).
inline constexpr std::size_t kDefaultMaxDecompressedBytes = 64u << 20;

// The gzip form of `data`. Never fails for in-memory input (zlib errors are programmer
// errors and throw std::runtime_error). Thread-safe.
std::string gzip_compress(std::string_view data, int level = 6);

struct GunzipResult {
  std::string data;
  std::string error;  // empty on success
  bool ok() const noexcept { return error.empty(); }
};

// Decompresses a gzip stream (concatenated members are accepted). Fails cleanly, without
// allocating more than about `max_output` bytes, when the input is not gzip, is truncated,
// has trailing garbage, or inflates past `max_output`. Thread-safe.
GunzipResult gzip_decompress(std::string_view data, std::size_t max_output = kDefaultMaxDecompressedBytes);

}  // namespace tdemo::telemetry::otlp
