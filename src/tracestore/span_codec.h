// A compact binary encoding of the "cold" parts of a span: attributes, events, links, status
// message, trace state, flags and dropped counts. Hot fields (ids, times, names, kind, status
// code) live in SpanRecord as plain members; this blob holds the rest.
//
// Two key modes: with an interner, attribute keys are written as varint ids (compact, used in
// memory); without one, keys are written inline as strings (self-contained, used on disk).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "telemetry/span_data.h"
#include "tracestore/string_interner.h"

namespace tdemo::tracestore {

// Encodes the cold parts of `span`. `keys` may be null (inline keys). Interning new keys
// mutates `keys`: call under the owner's exclusive lock. The blob's capacity is its size.
// `attributes`, when given, are the span's attributes (its own `attributes` are then ignored).
std::string encode_span_details(const telemetry::SpanData& span, StringInterner* keys,
                                const std::span<const telemetry::AttributeRef>* attributes = nullptr);

// Decodes a blob written by encode_span_details with the same key mode into `span` (fills
// attributes, events, links, status_message, flags/trace state, dropped counts and
// parent_is_remote; leaves ids, names, times, kind and status code alone). Returns false on a
// corrupt blob. `span.start_time_unix_nano` must already be set (event times are relative).
bool decode_span_details(std::string_view blob, const StringInterner* keys,
                         telemetry::SpanData& span);

// True when the blob holds a span attribute or event attribute with key `key` whose value,
// rendered as Jaeger renders tag values (strings as-is, true/false, decimal integers, shortest
// round-trip doubles), equals `value`. Allocation-free for non-matching keys.
bool details_have_tag(std::string_view blob, const StringInterner* keys, std::string_view key,
                      std::string_view value);

// Renders an attribute value as a Jaeger tag string: arrays as Jaeger's OTLP translator writes
// them (Go's json.Marshal, see go_json.h), so tag search matches the rendered tag.
std::string tag_string(const telemetry::AttributeValue& value);

}  // namespace tdemo::tracestore
