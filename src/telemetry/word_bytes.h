// The eight bytes of a 64-bit word tested at once ("has zero byte" from Bit Twiddling Hacks):
// exact as a yes/no for the whole word, not for which byte. For the scans that check text eight
// bytes per step (JSON escaping, UTF-8 checks, header names and values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tdemo::telemetry {

inline constexpr std::uint64_t kByteOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kByteHighs = 0x8080808080808080ull;

// The eight bytes at `p` as one word (any alignment).
inline std::uint64_t load_word(const char* p) noexcept {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// The first min(n, 8) bytes at `p` as one word, the bytes past `n` zero: a short text's bytes
// without a memcpy call (the hashes of keys and interned names).
inline std::uint64_t load_word_prefix(const char* p, std::size_t n) noexcept {
  if (n >= 8) return load_word(p);
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < n; ++i) word |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return word;
}

// Each test below gives a word that is not zero exactly when the test holds (high bits of
// bytes; which ones is not exact): callers OR several tests and compare once.

// Any byte of `word` zero (the borrow only crosses from a zero byte).
constexpr std::uint64_t zero_byte_bits(std::uint64_t word) noexcept { return (word - kByteOnes) & ~word & kByteHighs; }

// Any byte of `word` below `n` (at most 0x80; "has less than"): exact as a yes/no for a word
// without bytes of 0x80 or more, so callers test those too (`word & kByteHighs`).
constexpr std::uint64_t byte_below_bits(std::uint64_t word, unsigned char n) noexcept {
  return (word - kByteOnes * n) & ~word & kByteHighs;
}

// Any byte of `word` equal to `byte`.
constexpr std::uint64_t byte_bits(std::uint64_t word, unsigned char byte) noexcept {
  return zero_byte_bits(word ^ (kByteOnes * byte));
}

// Whether any of the 8 bytes in `word` may not go into a JSON string as it is, as the log's
// escaping and the services' string checks read text: below 0x20, 0x7f or above (UTF-8, and
// DEL, which those callers look at byte by byte), '"' or '\\'. Each test is exact as a yes/no
// for the whole word; the tests' bits OR-ed: one compare, no branch per test.
[[gnu::always_inline]] inline bool word_needs_json_escape(std::uint64_t word) noexcept {
  return ((word & kByteHighs) | byte_below_bits(word, 0x20) | byte_bits(word, '"') | byte_bits(word, '\\') |
          byte_bits(word, 0x7f)) != 0;
}

// Whether the `n` bytes at `a` and at `b` are equal: eight at a time, the last word overlapping
// the one before (no call, for the short keys and names compared on hot paths).
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load_word(a + i) != load_word(b + i)) return false;
    }
    return load_word(a + n - 8) == load_word(b + n - 8);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace tdemo::telemetry
