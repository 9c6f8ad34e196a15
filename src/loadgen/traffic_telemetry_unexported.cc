// The TrafficTelemetry of builds without the Telemetry class (td_telemetry_setup is built only
// with the OTLP exporter): traceparents are still sent, spans are not recorded, and it says so.
#include "loadgen/traffic_telemetry.h"

namespace tdemo::loadgen {
namespace {

class UnexportedTrafficTelemetry final : public TrafficTelemetry {
 public:
  RequestTracer& request_tracer() override { return tracer_; }
  std::string description() const override {
    return "traffic -> not exported (this build has no OTLP exporter); requests still carry traceparents";
  }
  void flush() override {}

 private:
  UnsampledTraceparents tracer_;
};

}  // namespace

std::unique_ptr<TrafficTelemetry> start_traffic_telemetry(double) {
  return std::make_unique<UnexportedTrafficTelemetry>();
}

}  // namespace tdemo::loadgen
