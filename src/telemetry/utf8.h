// UTF-8 validation and repair, the one implementation for the project: OTLP and Jaeger string
// fields, JSON answers and log lines must all be valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "telemetry/word_bytes.h"

namespace tdemo::telemetry {

// The OR of every byte of the strings added: all of them are ASCII (so valid UTF-8) when no
// high bit is set. Eight bytes at a time, without a branch per string on the result; inline,
// since a call costs more than the check of a short key (the OTLP encoder adds every string it
// writes and checks the batch only when one is not ASCII).
class AsciiCheck {
 public:
  void add(std::string_view s) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    if (n >= 8) {
      for (std::size_t i = 0; i + 8 < n; i += 8) bits_ |= load_word(p + i);
      bits_ |= load_word(p + n - 8);  // the last eight, overlapping the word before
    } else if (n >= 4) {  // two four-byte loads, overlapping
      std::uint32_t head;
      std::uint32_t tail;
      std::memcpy(&head, p, 4);
      std::memcpy(&tail, p + n - 4, 4);
      bits_ |= head | tail;
    } else if (n > 0) {  // first, middle and last: every byte of 1-3
      bits_ |= static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) |
               static_cast<unsigned char>(p[n - 1]);
    }
  }
  bool ascii() const noexcept { return (bits_ & kByteHighs) == 0; }

 private:
  std::uint64_t bits_ = 0;
};

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is invalid
// (bad lead or continuation byte, overlong form, surrogate, past U+10FFFF, truncated).
// Precondition: i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

namespace detail {
// is_valid_utf8 for text that is not all ASCII.
bool is_valid_utf8_beyond_ascii(std::string_view s) noexcept;
}  // namespace detail

// All-ASCII text (nearly all of it) answered inline by AsciiCheck; other text by a call.
inline bool is_valid_utf8(std::string_view s) noexcept {
  AsciiCheck check;
  check.add(s);
  return check.ascii() || detail::is_valid_utf8_beyond_ascii(s);
}

// `s` with each invalid byte replaced by U+FFFD.
std::string to_valid_utf8(std::string_view s);

}  // namespace tdemo::telemetry
