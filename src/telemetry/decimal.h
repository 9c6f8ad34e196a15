// Integers as decimal text appended to a string (or any `out` with append(const char*, size_t),
// such as the access log's line buffer): what /health's counters, the access log's fields and
// every Content-Length are written with. Two digits per division from the end of a
// local buffer, then one append (std::to_chars and an append cost 139 instructions per number
// in /health's profile, this 77).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tdemo::telemetry {

namespace detail {
inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

template <class Out>
inline void append_magnitude(Out& out, std::uint64_t value, bool negative) {
  char digits[21];  // 20 digits of 2^64 - 1 and a sign
  char* const end = digits + sizeof digits;
  char* p = end;
  while (value >= 100) {
    const auto pair = static_cast<std::size_t>(value % 100) * 2;
    value /= 100;
    p -= 2;
    p[0] = kDigitPairs[pair];
    p[1] = kDigitPairs[pair + 1];
  }
  if (value >= 10) {
    const auto pair = static_cast<std::size_t>(value) * 2;
    p -= 2;
    p[0] = kDigitPairs[pair];
    p[1] = kDigitPairs[pair + 1];
  } else {
    *--p = static_cast<char>('0' + value);
  }
  if (negative) *--p = '-';
  out.append(p, static_cast<std::size_t>(end - p));
}
}  // namespace detail

template <class Out>
inline void append_decimal(Out& out, std::uint64_t value) { detail::append_magnitude(out, value, false); }

template <class Out>
inline void append_decimal(Out& out, std::int64_t value) {
  // The magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64.
  detail::append_magnitude(
      out, value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value), value < 0);
}

}  // namespace tdemo::telemetry
