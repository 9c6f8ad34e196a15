// The TrafficTelemetry of builds with the Telemetry class (td_telemetry_setup).
#include "loadgen/traffic_telemetry.h"

#include "loadgen/telemetry_request_tracer.h"
#include "telemetry/telemetry.h"

namespace tdemo::loadgen {
namespace {

class ExportedTrafficTelemetry final : public TrafficTelemetry {
 public:
  explicit ExportedTrafficTelemetry(double sample_rate)
      : telemetry_(config()), tracer_(telemetry_.tracer("tracing-demo.traffic"), sample_rate) {}
  ~ExportedTrafficTelemetry() override { telemetry_.shutdown(); }

  RequestTracer& request_tracer() override { return tracer_; }
  std::string description() const override {
    const auto stats = telemetry_.stats();
    return telemetry_.service_name() + " -> " + std::string(stats.exporter);
  }
  void flush() override { telemetry_.force_flush(); }

 private:
  static telemetry::TelemetryConfig config() {
    auto c = telemetry::config_from_environment("traffic");
    c.sampler = "always_on";  // the sample rate is applied per request by the tracer below
    c.sampler_arg.reset();
    return c;
  }

  telemetry::Telemetry telemetry_;
  TelemetryRequestTracer tracer_;
};

}  // namespace

std::unique_ptr<TrafficTelemetry> start_traffic_telemetry(double sample_rate) {
  return std::make_unique<ExportedTrafficTelemetry>(sample_rate);
}

}  // namespace tdemo::loadgen
