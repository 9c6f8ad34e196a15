// An OTLP/HTTP receiver for tests: POST /v1/traces (protobuf or JSON) on 127.0.0.1, decoded
// with the project's decoder, every span kept. Integration tests point the services'
// OTEL_EXPORTER_OTLP_ENDPOINT at it and assert on what arrived.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/router.h"
#include "http/server.h"
#include "telemetry/span_data.h"

namespace tdemo::test {

class SpanCapture {
 public:
  // Listens on `port` (0: an ephemeral one); throws std::runtime_error when it cannot bind.
  explicit SpanCapture(std::uint16_t port = 0);
  ~SpanCapture();
  SpanCapture(const SpanCapture&) = delete;
  SpanCapture& operator=(const SpanCapture&) = delete;

  std::uint16_t port() const { return server_->port(); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

  std::vector<telemetry::SpanData> all() const;
  // Every export request body as received (protobuf or JSON bytes, as the exporter sent them).
  std::vector<std::string> bodies() const;
  // The spans of one trace (hex id).
  std::vector<telemetry::SpanData> trace(const std::string& trace_id_hex) const;
  // Waits (bounded, ~10 s) until the trace has at least `count` spans; exports are batched.
  std::vector<telemetry::SpanData> wait_for_trace(const std::string& trace_id_hex, std::size_t count) const;
  // Waits (bounded, ~10 s) until the trace is whole: at least `min_count` spans, exactly one
  // span whose parent is not in the trace (its root), and no new span for `settle`. Each
  // service exports its own batches, so a count alone can be reached while another service's
  // spans, parents included, are still queued.
  std::vector<telemetry::SpanData> wait_for_complete_trace(
      const std::string& trace_id_hex, std::size_t min_count,
      std::chrono::milliseconds settle = std::chrono::milliseconds(300)) const;

 private:
  http::IoPool pool_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mutex_;
  std::vector<telemetry::SpanData> spans_;
  std::vector<std::string> bodies_;
};

// The string / bool value of a span attribute ("" / nullopt when absent or of another type).
std::string string_attribute(const telemetry::SpanData& span, std::string_view key);
std::optional<bool> bool_attribute(const telemetry::SpanData& span, std::string_view key);

}  // namespace tdemo::test
