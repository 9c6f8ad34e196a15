// UTF-8 validation and repair, the one implementation for the project: OTLP and Jaeger string
// fields, JSON answers and log lines must all be valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tdemo::telemetry {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is invalid
// (bad lead or continuation byte, overlong form, surrogate, past U+10FFFF, truncated).
// Precondition: i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

// Checks ASCII eight bytes at a time.
bool is_valid_utf8(std::string_view s) noexcept;

// `s` with each invalid byte replaced by U+FFFD.
std::string to_valid_utf8(std::string_view s);

}  // namespace tdemo::telemetry
