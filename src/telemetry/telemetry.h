// One service's telemetry, configured the standard way: the OTEL_* environment variables (and
// the seed's SERVICE_NAME, ENVIRONMENT, JAEGER_HOST, JAEGER_PORT, DEBUG), then overrides.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/propagation.h"
#include "telemetry/tracer.h"

namespace tdemo::telemetry {

// Looks a variable up; the default reads the process environment. Injected in tests.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvironmentLookup process_environment();

enum class ExporterKind { kOtlp, kConsole, kNone, kInMemory, kJaegerThrift };
enum class OtlpProtocol { kHttpProtobuf, kHttpJson, kGrpc };

// Everything the environment says, resolved to values (defaults filled in).
struct TelemetryConfig {
  std::string service_name;                       // OTEL_SERVICE_NAME > SERVICE_NAME > default
  Attributes resource_attributes;                 // OTEL_RESOURCE_ATTRIBUTES (+ ENVIRONMENT)
  std::string sampler = "parentbased_always_on";  // OTEL_TRACES_SAMPLER
  std::optional<double> sampler_arg;              // OTEL_TRACES_SAMPLER_ARG
  std::vector<std::string> propagators{"tracecontext", "baggage"};  // OTEL_PROPAGATORS
  ExporterKind exporter = ExporterKind::kOtlp;          // OTEL_TRACES_EXPORTER (otlp|console|none);
                                                        // JAEGER_PORT=14268: kJaegerThrift
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;  // OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL
  // Full URL of the traces endpoint, e.g. http://localhost:4318/v1/traces (for gRPC:
  // http://localhost:4317). From OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is), or
  // OTEL_EXPORTER_OTLP_ENDPOINT (+ "/v1/traces" for HTTP), or JAEGER_HOST/JAEGER_PORT.
  std::string endpoint = "http://localhost:4318/v1/traces";
  std::map<std::string, std::string> headers;       // OTEL_EXPORTER_OTLP_[TRACES_]HEADERS
  std::chrono::milliseconds export_timeout{10000};  // OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT
  bool gzip = false;                                // OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION=gzip
  std::size_t bsp_max_queue_size = 2048;            // OTEL_BSP_MAX_QUEUE_SIZE
  std::chrono::milliseconds bsp_schedule_delay{5000};   // OTEL_BSP_SCHEDULE_DELAY
  std::size_t bsp_max_export_batch_size = 512;          // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
  std::chrono::milliseconds bsp_export_timeout{30000};  // OTEL_BSP_EXPORT_TIMEOUT
  SpanLimits limits;                                    // OTEL_SPAN_* / OTEL_ATTRIBUTE_*
  bool sdk_disabled = false;                            // OTEL_SDK_DISABLED=true: no-op provider
  bool console_too = false;  // DEBUG=true: also print spans to the console

  // Problems found while reading (one line each: variable, bad value, what was used instead).
  std::vector<std::string> warnings;
};

// Reads the configuration. Never throws on bad values: each is reported in `warnings` and the
// default used.
TelemetryConfig config_from_environment(std::string_view default_service_name,
                                        const EnvironmentLookup& env = process_environment());

// Figures for /metrics and /health.
struct PipelineStats {
  std::uint64_t spans_started = 0;
  std::uint64_t spans_ended = 0;
  std::uint64_t queue_depth = 0;
  std::uint64_t queue_capacity = 0;
  std::uint64_t spans_dropped = 0;  // queue full or after shutdown
  std::uint64_t spans_exported = 0;
  std::uint64_t export_failures = 0;  // batches that failed after retries
  std::uint64_t spans_failed = 0;     // spans in those batches
  std::string_view exporter;  // e.g. "otlp http/protobuf http://localhost:4318/v1/traces"; the
                              // Telemetry's own text, valid while it lives
};

class InMemorySpanExporter;

// A service's tracer provider, propagator and export pipeline, built from a config.
// Thread-safe. Shut down (flushing queued spans) on destruction.
class Telemetry {
 public:
  explicit Telemetry(const TelemetryConfig& config);
  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  Tracer tracer(std::string_view scope_name = "tracing-demo") {
    return provider_->tracer(scope_name, TD_VERSION);
  }
  TracerProvider& provider() noexcept { return *provider_; }
  const TextMapPropagator& propagator() const noexcept { return *propagator_; }
  const std::string& service_name() const noexcept { return service_name_; }
  PipelineStats stats() const;
  // With ExporterKind::kInMemory: the exporter, to read what was recorded (tests); else null.
  InMemorySpanExporter* in_memory_exporter() const noexcept { return in_memory_; }

  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  std::string service_name_;
  std::string exporter_description_;
  std::unique_ptr<TracerProvider> provider_;
  std::unique_ptr<TextMapPropagator> propagator_;
  class BatchSpanProcessor* batch_ = nullptr;  // owned by provider_, when batching
  InMemorySpanExporter* in_memory_ = nullptr;  // owned by provider_'s pipeline
};

}  // namespace tdemo::telemetry
