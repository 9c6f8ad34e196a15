// OTLP exporters (HTTP protobuf, HTTP JSON, gRPC), configured from a TelemetryConfig.
#pragma once

#include <memory>

#include "telemetry/span_processor.h"
#include "telemetry/telemetry.h"

namespace tdemo::telemetry::otlp {

// The exporter the config asks for (protocol, endpoint, headers, timeout, compression).
// Retries 429/502/503/504 and lost connections with exponential backoff and jitter, honouring
// Retry-After, within the export timeout.
std::unique_ptr<SpanExporter> make_otlp_exporter(const TelemetryConfig& config);

}  // namespace tdemo::telemetry::otlp
