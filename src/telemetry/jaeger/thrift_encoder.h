// Spans as Jaeger's native format: jaeger.thrift Batch structs in Thrift's binary protocol
// (TBinaryProtocol; the struct alone, without a message envelope, so strict and non-strict
// readers agree), the body Jaeger clients POST to a collector's /api/traces. The mapping is the
// OpenTelemetry specification's (trace/sdk_exporters/jaeger.md and
// common/mapping-to-non-otlp.md), as the OpenTelemetry Collector's OTLP -> Jaeger translator
// does it:
//  - resource service.name -> Process.serviceName ("unknown_service" when absent), the other
//    resource attributes -> Process.tags;
//  - trace id -> traceIdHigh (bytes 0-7) / traceIdLow (bytes 8-15), span and parent span id ->
//    spanId / parentSpanId (big-endian, reinterpreted as i64; 0: root); flags 1 when sampled;
//    name -> operationName; start and duration in microseconds (truncated);
//  - the parent -> a first CHILD_OF reference; each link -> a FOLLOWS_FROM reference (link
//    attributes have no place in Jaeger's model);
//  - attributes -> tags (STRING, BOOL, LONG, DOUBLE; arrays -> a STRING tag holding a JSON list),
//    then: otel.scope.name/version and the deprecated otel.library.name/version; span.kind
//    (server, client, producer, consumer; none for internal); otel.status_code (OK, ERROR) and
//    otel.status_description unless the status is unset, and error=true for ERROR (replacing an
//    "error" attribute); w3c.tracestate when the trace state is not empty;
//    otel.dropped_attributes_count / otel.dropped_events_count / otel.dropped_links_count when
//    not zero;
//  - events -> logs: timestamp in microseconds, fields "event" = the name (unless an attribute
//    is named "event"), the attributes, otel.dropped_attributes_count when not zero.
// Strings that are not valid UTF-8 are repaired (U+FFFD), as the OTLP encoders do.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry::jaeger {

// Replaces `out` with one Batch: Process from `resource` (null: no resource attributes) and
// `spans` in order. The spans' own resource pointers are not consulted.
void encode_thrift_batch(const Resource* resource, const std::vector<const SpanData*>& spans,
                         std::string& out);

// A Batch holds one Process, so a SpanBatch with several resources becomes several Batches.
struct ThriftBatch {
  const Resource* resource = nullptr;  // points into the encoded SpanBatch
  std::size_t span_count = 0;
  std::string body;
};

// One Batch per distinct resource (by pointer, as providers share one), in order of first
// appearance; spans keep their batch order. Thread-safe for distinct batches.
std::vector<ThriftBatch> encode_thrift_batches(const SpanBatch& batch);

// The JSON text of a value; for arrays, the JSON list the Jaeger mapping puts in a STRING tag:
// strings quoted and escaped, doubles in the shortest form that reads back exactly (fixed
// notation from 1e-6 up to 1e21, else with an exponent, as Go's encoding/json writes them),
// NaN and infinities as the strings "NaN", "Infinity", "-Infinity" (JSON numbers cannot hold
// them).
std::string json_text(const AttributeValue& value);

}  // namespace tdemo::telemetry::jaeger
