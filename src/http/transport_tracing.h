// What the server and client need to trace the transport, and the header carrier adapter.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "telemetry/propagation.h"
#include "telemetry/tracer.h"

namespace tdemo::telemetry { class Telemetry; }

namespace tdemo::http {

// A tracer and a propagator. A default-constructed one traces nothing and propagates nothing
// (no-op tracer, null propagator). The propagator must outlive the server/client using it.
struct TransportTracing {
  telemetry::Tracer tracer;
  const telemetry::TextMapPropagator* propagator = nullptr;
  // Rewrites a URL, path or query before it reaches a span attribute (url.path, url.query,
  // url.full) or the access log, e.g. to mask card numbers a client put in a path. Null: as is.
  std::string (*redact_url)(std::string_view) = nullptr;

  std::string redacted(std::string_view url) const {
    return redact_url != nullptr ? redact_url(url) : std::string(url);
  }
};

// The service's tracer (scope "tracing-demo.http") and propagator.
TransportTracing transport_tracing(telemetry::Telemetry& telemetry);

// TextMapCarrier over a Headers list (case-insensitive get; set replaces).
class HeadersCarrier final : public telemetry::TextMapCarrier {
 public:
  explicit HeadersCarrier(Headers& headers) : headers_(&headers), const_headers_(&headers) {}
  explicit HeadersCarrier(const Headers& headers) : const_headers_(&headers) {}
  std::optional<std::string> get(std::string_view key) const override {
    return const_headers_->get_joined(key);
  }
  // Precondition: constructed from a mutable Headers (else a no-op).
  void set(std::string_view key, std::string_view value) override {
    if (headers_ != nullptr) headers_->set(key, value);
  }

 private:
  Headers* headers_ = nullptr;
  const Headers* const_headers_;
};

// An HTTP span's name (server and client): "{method} {route}", "HTTP {route}" for a method
// outside the standard set, without " {route}" when there is none. The text is in a buffer of
// the calling thread, valid until its next call there (a span copies its name).
std::string_view http_span_name(Method method, std::string_view route);

// "00-{trace_id}-{span_id}-{flags}" for the traceresponse header, formatted in place (no
// allocation); view() is "" for an invalid context.
class TraceResponse {
 public:
  explicit TraceResponse(const telemetry::SpanContext& context);
  std::string_view view() const noexcept { return {text_.data(), size_}; }

 private:
  std::array<char, 55> text_;
  std::size_t size_ = 0;
};

}  // namespace tdemo::http
