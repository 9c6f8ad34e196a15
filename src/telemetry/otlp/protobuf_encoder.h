// OTLP/protobuf encoding of span batches: the bytes of an ExportTraceServiceRequest.
#pragma once

#include <string>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp {

// Replaces `out` with the protobuf wire encoding of an ExportTraceServiceRequest holding
// `batch`, grouped by resource then scope (see span_grouping.h). Null entries are skipped.
// Written directly in wire format (no libprotobuf message objects); the output parses with
// the generated classes of proto/. Invalid UTF-8 in any string is replaced by U+FFFD (proto3
// parsers reject a whole request over one invalid string). Reusing `out` across calls avoids reallocation.
// Thread-safe for distinct `out` buffers.
void encode_protobuf(const SpanBatch& batch, std::string& out);
std::string encode_protobuf(const SpanBatch& batch);

}  // namespace tdemo::telemetry::otlp
