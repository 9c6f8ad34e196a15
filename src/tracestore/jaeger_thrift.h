// Jaeger's native span format: a jaeger.thrift Batch in Thrift's binary protocol, as Jaeger
// clients POST it to a collector's /api/traces (port 14268), decoded into SpanData the way the
// OpenTelemetry Collector's Jaeger receiver translates it (jaeger -> OTLP):
//  - Process.serviceName -> resource service.name, Process.tags -> resource attributes;
//  - traceIdHigh/Low, spanId, parentSpanId (0: none; then the first CHILD_OF reference in the
//    same trace is the parent), startTime/duration in microseconds;
//  - tags -> attributes (BINARY as base64 text), except: span.kind -> the kind;
//    otel.status_code / otel.status_description and error=true -> the status;
//    otel.scope.name/version (or otel.library.name/version) -> the instrumentation scope;
//    w3c.tracestate -> the trace state;
//  - logs -> events, named by their "event" field (which is then dropped);
//  - references other than the parent -> links (FOLLOWS_FROM, or opentracing.ref_type=child_of).
#pragma once

#include <string_view>

#include "http/message.h"
#include "telemetry/otlp/decoder.h"

namespace tdemo::tracestore {

// Decodes one Batch. Never throws on bad input: a body that is not a Batch (truncated, wrong
// field types, nesting deeper than 64, more spans than limits.max_spans) gives `error`; spans
// with an all-zero trace or span id are left out and counted in rejected_spans.
telemetry::otlp::DecodeResult decode_jaeger_thrift_batch(
    std::string_view body, const telemetry::otlp::DecodeLimits& limits = {});

class OtlpIngest;

// POST /api/traces as Jaeger's collector answers it: Content-Type application/x-thrift (or
// application/vnd.apache.thrift.binary) with a Batch -> 202 Accepted and an empty body; another
// type -> 400 "Unsupported content type: ..."; a body that is not a Batch -> 400 "Unable to
// process request body: ..."; over the ingest size limit -> 413; durable storage failing -> 503.
// The spans go through `ingest` like OTLP's (same limits, same storage).
http::Response handle_jaeger_thrift_http(OtlpIngest& ingest, const http::Request& request);

}  // namespace tdemo::tracestore
