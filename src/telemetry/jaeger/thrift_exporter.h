// The Jaeger Thrift-over-HTTP span exporter: jaeger.thrift Batches POSTed to a Jaeger
// collector's /api/traces (port 14268), as Jaeger's own clients send them.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "telemetry/otlp/retry.h"
#include "telemetry/span_processor.h"

namespace tdemo::telemetry::jaeger {

struct JaegerThriftExporterOptions {
  std::string endpoint = "http://localhost:14268/api/traces";  // full URL; http only
  std::chrono::milliseconds timeout{10000};  // per export_spans call, retries included
  otlp::RetryPolicy retry;
  std::size_t max_response_bytes = 1u << 20;  // larger responses count as failures
  otlp::ExporterLog log;                      // null: stderr
  // At most one log line per interval (a dead collector fails every batch); 0: every line.
  std::chrono::milliseconds log_interval{10000};
};

// Sends each batch as one POST per resource (a Batch carries one Process; the SDK's batches
// have one), Content-Type application/x-thrift, body as thrift_encoder.h describes, over the
// OTLP/HTTP exporter's transport (otlp::HttpSender): one keep-alive connection; any 2xx (Jaeger
// answers 202) is success; 429, 502, 503, 504 and lost or refused connections are retried with
// backoff and jitter, honouring Retry-After, within `timeout`; other statuses fail at once.
// Failures are logged, rate-limited. Never throws.
//
// Thread safety: export_spans must not be called concurrently (the SDK's processors never do);
// shutdown may be called from any thread and interrupts a backoff wait.
class JaegerThriftExporter final : public SpanExporter {
 public:
  explicit JaegerThriftExporter(JaegerThriftExporterOptions options);
  ~JaegerThriftExporter() override;

  ExportResult export_spans(const SpanBatch& batch) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  // Empty when the endpoint parsed; else why every export will fail.
  const std::string& configuration_error() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tdemo::telemetry::jaeger
