// OTLP/JSON encoding of span batches (the ExportTraceServiceRequest JSON mapping).
#pragma once

#include <string>
#include <string_view>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp {

// Replaces `out` with the OTLP/JSON form of an ExportTraceServiceRequest holding `batch`,
// grouped by resource then scope. Per the OTLP JSON rules: lowerCamelCase field names, trace
// and span ids as lowercase hex, enums as integers, 64-bit integers (intValue, timestamps) as
// decimal strings, doubles as numbers except NaN/Infinity/-Infinity as strings. Fields with
// default values are omitted, as the protobuf JSON mapping allows. Invalid UTF-8 in strings is
// replaced by U+FFFD so the output is always valid JSON. Thread-safe for distinct buffers.
void encode_json(const SpanBatch& batch, std::string& out);
std::string encode_json(const SpanBatch& batch);

// Appends `s` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view s);

// Appends `v` in its shortest round-trip form; NaN and the infinities as the OTLP/JSON strings
// "NaN", "Infinity", "-Infinity".
void append_json_number(std::string& out, double v);

}  // namespace tdemo::telemetry::otlp
