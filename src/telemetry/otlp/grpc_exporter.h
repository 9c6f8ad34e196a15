// OTLP/gRPC span exporter (TraceService/Export) with Debian's gRPC.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "telemetry/otlp/retry.h"
#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp {

struct GrpcExporterOptions {
  // http://host:port (plaintext) or https://host:port (TLS with the system roots); a bare
  // host:port is plaintext. Any path is ignored.
  std::string endpoint = "http://localhost:4317";
  std::map<std::string, std::string> headers;  // sent as metadata (names lowercased)
  std::chrono::milliseconds timeout{10000};    // per export_spans call, retries included
  bool gzip = false;                           // gRPC message compression
  RetryPolicy retry;
  ExporterLog log;
  // At most one log line per interval (a dead backend fails every batch); 0: every line.
  std::chrono::milliseconds log_interval{10000};
};

// Retries the codes the OTLP specification lists as retryable (CANCELLED, DEADLINE_EXCEEDED
// with time left, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED), with
// backoff and jitter, within the timeout. Partial success is logged. Never throws.
// Thread safety as OtlpHttpExporter: one exporting thread; shutdown from any thread.
class OtlpGrpcExporter final : public SpanExporter {
 public:
  explicit OtlpGrpcExporter(GrpcExporterOptions options);
  ~OtlpGrpcExporter() override;

  ExportResult export_spans(const SpanBatch& batch) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tdemo::telemetry::otlp
