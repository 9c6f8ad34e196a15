// The `traffic` service's telemetry: a tracer whose spans are exported the standard way
// (OTEL_* variables; service.name defaults to "traffic"), and a RequestTracer over it that
// samples `sample_rate` of the generated requests.
#pragma once

#include <memory>
#include <string>

#include "loadgen/request_tracer.h"

namespace tdemo::loadgen {

class TrafficTelemetry {
 public:
  virtual ~TrafficTelemetry() = default;
  // Valid while this object lives.
  virtual RequestTracer& request_tracer() = 0;
  // E.g. "traffic -> otlp http/protobuf http://localhost:4318/v1/traces".
  virtual std::string description() const = 0;
  // Exports what is queued (waits up to a few seconds).
  virtual void flush() = 0;
};

// `sample_rate` in [0, 1].
std::unique_ptr<TrafficTelemetry> start_traffic_telemetry(double sample_rate);

}  // namespace tdemo::loadgen
