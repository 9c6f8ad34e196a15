// Hex rendering and parsing of trace and span ids, as the query API writes and reads them.
// Self-contained (no dependency on the telemetry library's implementation). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "telemetry/ids.h"

namespace tdemo::tracestore {

// Non-zero checks (local so the store links without the telemetry library).
bool is_valid(const telemetry::TraceId& id) noexcept;
bool is_valid(const telemetry::SpanId& id) noexcept;

std::string to_hex(const telemetry::TraceId& id);  // 32 lowercase hex characters
std::string to_hex(const telemetry::SpanId& id);   // 16 lowercase hex characters

// Jaeger's rendering of a trace id: 16 hex characters when the high 64 bits are zero, else 32.
std::string jaeger_trace_id(const telemetry::TraceId& id);

// Accepts 1..32 hex characters (either case; shorter ids are left-padded with zeros, as
// Jaeger does). nullopt for anything else.
std::optional<telemetry::TraceId> parse_trace_id(std::string_view hex) noexcept;
// Accepts 1..16 hex characters (either case), left-padded.
std::optional<telemetry::SpanId> parse_span_id(std::string_view hex) noexcept;

}  // namespace tdemo::tracestore
