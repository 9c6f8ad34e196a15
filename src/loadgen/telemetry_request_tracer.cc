#include "loadgen/telemetry_request_tracer.h"

#include <cstdint>
#include <string>

#include "telemetry/propagation.h"
#include "telemetry/span.h"

namespace tdemo::loadgen {
namespace {

class SpanRequest final : public TracedRequest {
 public:
  explicit SpanRequest(telemetry::Span span) : span_(std::move(span)) {}
  void end(int status, FailureCause cause) override {
    if (cause != FailureCause::kNone) {
      span_.set_attribute("error.type", std::string(failure_cause_name(cause)));
      span_.set_status(telemetry::StatusCode::kError, failure_cause_name(cause));
    } else {
      span_.set_attribute("http.response.status_code", static_cast<std::int64_t>(status));
      // Client spans: 4xx and 5xx are errors (HTTP semantic conventions).
      if (status >= 400) {
        span_.set_attribute("error.type", std::to_string(status));
        span_.set_status(telemetry::StatusCode::kError);
      }
    }
    span_.end();
  }

 private:
  telemetry::Span span_;
};

// host and port out of "http://host:port/path".
void server_of(std::string_view url, std::string& host, std::int64_t& port) {
  if (url.starts_with("http://")) url.remove_prefix(7);
  url = url.substr(0, url.find('/'));
  const auto colon = url.rfind(':');
  host = std::string(url.substr(0, colon));
  port = 80;
  if (colon != std::string_view::npos) port = std::stoll(std::string(url.substr(colon + 1)));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
}

}  // namespace

std::unique_ptr<TracedRequest> TelemetryRequestTracer::begin(std::string_view method, std::string_view url,
                                                             std::string_view route, char* slot,
                                                             char* trace_id_hex) {
  if (!tracer_.enabled() || sample_rate_ <= 0 || (sample_rate_ < 1 && random_unit() >= sample_rate_)) {
    return unsampled_.begin(method, url, route, slot, trace_id_hex);
  }
  telemetry::StartSpanOptions options;
  options.kind = telemetry::SpanKind::kClient;
  std::string host;
  std::int64_t port = 80;
  server_of(url, host, port);
  options.attributes = {{"http.request.method", std::string(method)},
                        {"url.full", std::string(url)},
                        {"server.address", host},
                        {"server.port", port}};
  if (!route.empty()) options.attributes.push_back({"http.route", std::string(route)});
  // HTTP client span name: the method, and the route template when known.
  const std::string name = route.empty() ? std::string(method) : std::string(method) + " " + std::string(route);
  telemetry::Span span = tracer_.start_span(name, telemetry::Context{}, std::move(options));
  telemetry::format_traceparent(span.context(), slot);
  if (trace_id_hex != nullptr) span.context().trace_id().write_hex(trace_id_hex);
  if (!span.is_recording()) return nullptr;
  return std::make_unique<SpanRequest>(std::move(span));
}

}  // namespace tdemo::loadgen
