// UTF-8 repair of span batches. OTLP string fields must be valid UTF-8: protobuf parsers (ours,
// the Collector's) reject a whole request over one bad string, so encoders repair first. (The
// string functions themselves: telemetry/utf8.h.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "telemetry/span_processor.h"
#include "telemetry/utf8.h"

namespace tdemo::telemetry::otlp {

// Whether any string of the batch (names, keys, values, status, trace state, resource, scope)
// is invalid UTF-8. Fast for the usual all-ASCII case.
bool has_invalid_utf8(const SpanBatch& batch) noexcept;

// A deep copy of `batch` with every string made valid. Spans that shared a resource or scope
// still share one (repaired) object.
SpanBatch with_valid_utf8(const SpanBatch& batch);

}  // namespace tdemo::telemetry::otlp
