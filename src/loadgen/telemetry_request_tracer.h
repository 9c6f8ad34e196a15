// RequestTracer over our tracing SDK: a share of requests (the sample rate) gets a sampled
// CLIENT span in the caller's tracer (the `traffic` service); the others an unsampled
// traceparent with fresh random ids, so downstream services record nothing for them.
#pragma once

#include "loadgen/request_tracer.h"
#include "telemetry/tracer.h"

namespace tdemo::loadgen {

// Thread-safe. `tracer`'s provider must outlive this object and the spans it starts. Sampling is
// decided here (sample_rate in [0, 1]); give the provider an always-on sampler so every span
// started here is recorded.
class TelemetryRequestTracer final : public RequestTracer {
 public:
  TelemetryRequestTracer(telemetry::Tracer tracer, double sample_rate)
      : tracer_(std::move(tracer)), sample_rate_(sample_rate) {}

  std::unique_ptr<TracedRequest> begin(std::string_view method, std::string_view url, std::string_view route,
                                       char* slot, char* trace_id_hex) override;

 private:
  telemetry::Tracer tracer_;
  double sample_rate_;
  UnsampledTraceparents unsampled_;
};

}  // namespace tdemo::loadgen
