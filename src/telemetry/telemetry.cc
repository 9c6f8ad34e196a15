// Telemetry: builds one service's provider, propagator and export pipeline from a config.
#include "telemetry/telemetry.h"

#include "telemetry/batch_span_processor.h"
#include "telemetry/console_exporter.h"
#include "telemetry/in_memory_exporter.h"
#include "telemetry/jaeger/thrift_exporter.h"
#include "telemetry/log.h"
#include "telemetry/otlp/otlp_exporter.h"
#include "telemetry/simple_span_processor.h"

namespace tdemo::telemetry {
namespace {

const char* protocol_name(OtlpProtocol protocol) {
  switch (protocol) {
    case OtlpProtocol::kHttpProtobuf:
      return "http/protobuf";
    case OtlpProtocol::kHttpJson:
      return "http/json";
    case OtlpProtocol::kGrpc:
      return "grpc";
  }
  return "?";
}

std::shared_ptr<const Resource> make_resource(const TelemetryConfig& config) {
  Resource configured;
  configured.attributes = config.resource_attributes;
  set_attribute(configured.attributes, "service.name", config.service_name, SIZE_MAX);
  return std::make_shared<const Resource>(merge_resources(default_resource(), configured));
}

// The Jaeger Thrift-over-HTTP exporter for config.endpoint; its trouble goes to the service's
// JSON log as warnings (rate-limited by the exporter). OTLP headers and compression do not apply.
std::unique_ptr<SpanExporter> make_jaeger_exporter(const TelemetryConfig& config, const Logger& log) {
  jaeger::JaegerThriftExporterOptions options;
  options.endpoint = config.endpoint;
  options.timeout = config.export_timeout;
  options.log = [log](std::string_view line) {
    log.warning("jaeger exporter: " + std::string(line));
  };
  return std::make_unique<jaeger::JaegerThriftExporter>(std::move(options));
}

std::unique_ptr<BatchSpanProcessor> make_batch_processor(std::unique_ptr<SpanExporter> exporter,
                                                         const TelemetryConfig& config,
                                                         const Logger& log) {
  BatchSpanProcessorOptions batch;
  batch.max_queue_size = config.bsp_max_queue_size;
  batch.schedule_delay = config.bsp_schedule_delay;
  batch.max_export_batch_size = config.bsp_max_export_batch_size;
  batch.export_timeout = config.bsp_export_timeout;
  batch.on_drop = [log, capacity = config.bsp_max_queue_size](std::uint64_t dropped_total) {
    log.warning("spans dropped: the export queue is full",
                {{"spans.dropped_total", attribute(static_cast<std::int64_t>(dropped_total))},
                 {"queue.capacity", attribute(static_cast<std::int64_t>(capacity))}});
  };
  return std::make_unique<BatchSpanProcessor>(std::move(exporter), batch);
}

std::unique_ptr<TextMapPropagator> make_configured_propagator(const TelemetryConfig& config) {
  std::vector<std::unique_ptr<TextMapPropagator>> parts;
  for (const auto& name : config.propagators) {
    if (auto part = make_propagator(name)) parts.push_back(std::move(part));
  }
  return make_composite_propagator(std::move(parts));
}

}  // namespace

Telemetry::Telemetry(const TelemetryConfig& config) : service_name_(config.service_name) {
  Logger log(config.service_name);
  for (const auto& warning : config.warnings) log.warning("telemetry configuration: " + warning);

  TracerProviderOptions options;
  options.resource = make_resource(config);
  options.limits = config.limits;
  options.sampler = make_sampler(config.sampler, config.sampler_arg.value_or(1.0));
  if (!options.sampler) options.sampler = make_parent_based_sampler(make_always_on_sampler());
  propagator_ = make_configured_propagator(config);

  if (config.sdk_disabled) {
    exporter_description_ = "disabled (OTEL_SDK_DISABLED)";
    provider_ = std::make_unique<TracerProvider>(std::move(options));
    provider_->shutdown();  // a shut-down provider's tracers are no-ops that propagate context
    return;
  }

  switch (config.exporter) {
    case ExporterKind::kOtlp: {
      auto exporter = otlp::make_otlp_exporter(config);
      if (!exporter) {
        log.error("telemetry: no OTLP exporter for " + config.endpoint +
                  "; spans are not exported");
        exporter_description_ = "none (OTLP exporter unavailable)";
        break;
      }
      auto processor = make_batch_processor(std::move(exporter), config, log);
      batch_ = processor.get();
      options.processors.push_back(std::move(processor));
      exporter_description_ =
          std::string("otlp ") + protocol_name(config.protocol) + " " + config.endpoint;
      break;
    }
    case ExporterKind::kConsole:
      exporter_description_ = "console";
      break;
    case ExporterKind::kInMemory: {
      auto exporter = std::make_unique<InMemorySpanExporter>();
      in_memory_ = exporter.get();
      options.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter)));
      exporter_description_ = "in-memory";
      break;
    }
    case ExporterKind::kJaegerThrift: {
      auto processor = make_batch_processor(make_jaeger_exporter(config, log), config, log);
      batch_ = processor.get();
      options.processors.push_back(std::move(processor));
      exporter_description_ = "jaeger thrift " + config.endpoint;
      break;
    }
    case ExporterKind::kNone:
      exporter_description_ = "none";
      break;
  }
  if (config.exporter == ExporterKind::kConsole || config.console_too) {
    options.processors.push_back(
        std::make_unique<SimpleSpanProcessor>(std::make_unique<ConsoleSpanExporter>()));
    if (config.exporter != ExporterKind::kConsole) exporter_description_ += " + console";
  }
  provider_ = std::make_unique<TracerProvider>(std::move(options));
}

Telemetry::~Telemetry() { shutdown(); }

PipelineStats Telemetry::stats() const {
  PipelineStats stats;
  stats.spans_started = provider_->stats().spans_started.load();
  stats.spans_ended = provider_->stats().spans_ended.load();
  if (batch_ != nullptr) {
    const auto batch = batch_->stats();
    stats.queue_depth = batch.queue_depth;
    stats.queue_capacity = batch.queue_capacity;
    stats.spans_dropped = batch.dropped;
    stats.spans_exported = batch.exported;
    stats.export_failures = batch.export_failures;
    stats.spans_failed = batch.failed_spans;
  }
  stats.exporter = exporter_description_;
  return stats;
}

bool Telemetry::force_flush(std::chrono::milliseconds timeout) {
  return provider_->force_flush(timeout);
}

bool Telemetry::shutdown(std::chrono::milliseconds timeout) { return provider_->shutdown(timeout); }

}  // namespace tdemo::telemetry
