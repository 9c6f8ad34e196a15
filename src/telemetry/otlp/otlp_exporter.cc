#include "telemetry/otlp/otlp_exporter.h"

#include "telemetry/otlp/grpc_exporter.h"
#include "telemetry/otlp/http_exporter.h"

namespace tdemo::telemetry::otlp {

std::unique_ptr<SpanExporter> make_otlp_exporter(const TelemetryConfig& config) {
  if (config.protocol == OtlpProtocol::kGrpc) {
    GrpcExporterOptions options;
    options.endpoint = config.endpoint;
    options.headers = config.headers;
    options.timeout = config.export_timeout;
    options.gzip = config.gzip;
    return std::make_unique<OtlpGrpcExporter>(std::move(options));
  }
  HttpExporterOptions options;
  options.endpoint = config.endpoint;
  options.json = config.protocol == OtlpProtocol::kHttpJson;
  options.headers = config.headers;
  options.timeout = config.export_timeout;
  options.gzip = config.gzip;
  return std::make_unique<OtlpHttpExporter>(std::move(options));
}

}  // namespace tdemo::telemetry::otlp
