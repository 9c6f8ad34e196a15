#include "telemetry/otlp/otlp_exporter.h"

#include "telemetry/otlp/grpc_exporter.h"
#include "telemetry/otlp/http_exporter.h"

#include <memory>
#include <string>

#include "telemetry/log.h"

namespace tdemo::telemetry::otlp {

namespace {
// Exporter trouble goes to the service's own JSON log, as a warning (rate-limited by the exporter).
ExporterLog service_log(const TelemetryConfig& config) {
  return [logger = std::make_shared<const Logger>(config.service_name)](std::string_view line) {
    logger->warning("otlp exporter: " + std::string(line));
  };
}
}  // namespace

std::unique_ptr<SpanExporter> make_otlp_exporter(const TelemetryConfig& config) {
  if (config.protocol == OtlpProtocol::kGrpc) {
    GrpcExporterOptions options;
    options.endpoint = config.endpoint;
    options.headers = config.headers;
    options.timeout = config.export_timeout;
    options.gzip = config.gzip;
    options.log = service_log(config);
    return std::make_unique<OtlpGrpcExporter>(std::move(options));
  }
  HttpExporterOptions options;
  options.endpoint = config.endpoint;
  options.json = config.protocol == OtlpProtocol::kHttpJson;
  options.headers = config.headers;
  options.timeout = config.export_timeout;
  options.gzip = config.gzip;
  options.log = service_log(config);
  return std::make_unique<OtlpHttpExporter>(std::move(options));
}

}  // namespace tdemo::telemetry::otlp
