// OTLP/HTTP span exporter (protobuf or JSON) over one keep-alive HTTP/1.1 connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/otlp/http_sender.h"
#include "telemetry/otlp/retry.h"
#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp {

struct HttpExporterOptions {
  std::string endpoint = "http://localhost:4318/v1/traces";  // full URL; http only
  bool json = false;                                  // application/json instead of x-protobuf
  std::map<std::string, std::string> headers;         // added to every request
  std::chrono::milliseconds timeout{10000};           // per export_spans call, retries included
  bool gzip = false;                                  // Content-Encoding: gzip
  RetryPolicy retry;
  std::size_t max_response_bytes = 1u << 20;          // larger responses count as failures
  ExporterLog log;
  // At most one log line per interval (a dead backend fails every batch); 0: every line.
  std::chrono::milliseconds log_interval{10000};
};

// Sends each batch as one POST (through HttpSender). Retries only 429, 502, 503, 504 (honouring
// Retry-After: seconds or an HTTP-date) and lost or refused connections; other statuses fail at
// once. Partial success responses are decoded and logged. Never throws.
//
// Thread safety: export_spans must not be called concurrently (the SDK's processors never do);
// shutdown may be called from any thread and interrupts a backoff wait.
class OtlpHttpExporter final : public SpanExporter {
 public:
  explicit OtlpHttpExporter(HttpExporterOptions options);
  ~OtlpHttpExporter() override;

  ExportResult export_spans(const SpanBatch& batch) noexcept override;
  bool shutdown(std::chrono::milliseconds timeout) noexcept override;

  // Empty when the endpoint parsed; else why every export will fail.
  const std::string& configuration_error() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// parse_retry_after (Retry-After values) is declared in http_sender.h.

}  // namespace tdemo::telemetry::otlp
