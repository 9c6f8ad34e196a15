// UTF-8 validation and repair. OTLP string fields must be valid UTF-8: protobuf parsers (ours,
// the Collector's) reject a whole request over one bad string, so encoders repair first.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is invalid
// (bad lead or continuation byte, overlong form, surrogate, past U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

bool is_valid_utf8(std::string_view s) noexcept;

// `s` with each invalid byte replaced by U+FFFD.
std::string to_valid_utf8(std::string_view s);

// Whether any string of the batch (names, keys, values, status, trace state, resource, scope)
// is invalid UTF-8. Fast for the usual all-ASCII case.
bool has_invalid_utf8(const SpanBatch& batch) noexcept;

// A deep copy of `batch` with every string made valid. Spans that shared a resource or scope
// still share one (repaired) object.
SpanBatch with_valid_utf8(const SpanBatch& batch);

}  // namespace tdemo::telemetry::otlp
