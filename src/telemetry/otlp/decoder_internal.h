// Helpers shared by the protobuf and JSON decoders (internal to td_otlp).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/span_grouping.h"

namespace tdemo::telemetry::otlp::detail {

// With attribute_refs, span attributes as in decode_protobuf_attribute_refs (decoder.h).
// `result`: where to decode, empty (its vectors' capacity is reused).
DecodeResult decode_protobuf(std::string_view body, const DecodeLimits& limits, bool attribute_refs = false,
                             DecodeResult result = {});
DecodeResult decode_json(std::string_view body, const DecodeLimits& limits);

// Exactly 16 (8) bytes, not all zero.
bool trace_id_from_bytes(std::string_view bytes, TraceId& out) noexcept;
bool span_id_from_bytes(std::string_view bytes, SpanId& out) noexcept;
// Exactly 32 (16) hex digits of either case, not all zero.
bool trace_id_from_hex(std::string_view hex, TraceId& out) noexcept;
bool span_id_from_hex(std::string_view hex, SpanId& out) noexcept;

// Splits "k=v,k2=v2" into entries without validating keys and values (we keep what the
// sender said). Null for an empty header.
std::shared_ptr<const TraceState> trace_state_from_header(std::string_view header);

// (Inline: a decoder maps every span's fields with them.)
inline SpanKind span_kind_from_int(std::int64_t v) noexcept {  // unknown or 0: INTERNAL
  return v >= 1 && v <= 5 ? static_cast<SpanKind>(v) : SpanKind::kInternal;
}
inline StatusCode status_code_from_int(std::int64_t v) noexcept {  // unknown: UNSET
  return v == 1 || v == 2 ? static_cast<StatusCode>(v) : StatusCode::kUnset;
}
// Span.flags / Link.flags → W3C trace flags and the remote bit.
inline std::uint8_t trace_flags_from(std::uint32_t flags) noexcept { return static_cast<std::uint8_t>(flags & 0xFF); }
inline bool remote_from(std::uint32_t flags) noexcept {
  return (flags & kFlagsHasIsRemote) != 0 && (flags & kFlagsIsRemote) != 0;
}

std::string base64_encode(std::string_view bytes);

// Counts a rejected span and keeps its reason (up to the limit).
void reject_span(DecodeResult& result, const DecodeLimits& limits, std::string reason);

}  // namespace tdemo::telemetry::otlp::detail
