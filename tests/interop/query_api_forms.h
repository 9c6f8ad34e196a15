// The two shapes the trace store's query API answers in, made comparable with what the JS SDK
// recorded (the normalized span form of normalize.mjs):
//  - normalized_otlp_json: api_v3's OTLP JSON reduced to that form;
//  - expected_jaeger_span: what Jaeger's OTLP translator makes of a recorded span, written here
//    from Jaeger's rules (opentelemetry-collector-contrib pkg/translator/jaeger), independently
//    of the store; comparable_jaeger_span puts the store's Jaeger span in the same shape.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace tdemo::interop {

// `traces_data` is {"resourceSpans": [...]}; the spans in normalized form, sorted by spanId.
boost::json::array normalized_otlp_json(const boost::json::value& traces_data);

// Jaeger's TraceID.String(): 16 hex digits when the high 64 bits are zero, else all 32.
std::string jaeger_trace_id(const std::string& hex32);

// The value of `key` in a normalized attribute list ([[key, value], ...]); null when absent.
const boost::json::value* find_attribute(const boost::json::array& attributes,
                                         std::string_view key);

// {traceID, spanID, operationName, references, startTime, duration, tags, logs, process:
// {serviceName, tags}}, tags and log fields sorted by key, for one recorded (normalized) span.
boost::json::object expected_jaeger_span(const boost::json::object& recorded);

// A span of a Jaeger trace answer in the shape above: its process inlined from `processes`,
// tags and log fields sorted by key (Jaeger's own order is no part of the contract). Fields the
// comparison does not cover are left out: processID (an opaque name), warnings, flags (Jaeger's
// translator leaves them 0; the store writes the W3C trace flags).
boost::json::object comparable_jaeger_span(const boost::json::object& span,
                                           const boost::json::object& processes);

}  // namespace tdemo::interop
