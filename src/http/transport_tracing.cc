#include "http/transport_tracing.h"

#include "telemetry/telemetry.h"

namespace tdemo::http {

TransportTracing transport_tracing(telemetry::Telemetry& telemetry) {
  return TransportTracing{telemetry.tracer("tracing-demo.http"), &telemetry.propagator()};
}

std::string_view http_span_name(Method method, std::string_view route) {
  thread_local std::string name;
  name.assign(method == Method::kOther ? "HTTP" : to_string(method));
  if (!route.empty()) {
    name.push_back(' ');
    name += route;
  }
  return name;
}

TraceResponse::TraceResponse(const telemetry::SpanContext& context) {
  if (!context.valid()) return;
  // Same layout as traceparent: version 00, trace id, the responder's span id, flags.
  static constexpr char kHex[] = "0123456789abcdef";
  text_[0] = '0';
  text_[1] = '0';
  text_[2] = '-';
  context.trace_id().write_hex(text_.data() + 3);
  text_[35] = '-';
  context.span_id().write_hex(text_.data() + 36);
  text_[52] = '-';
  text_[53] = kHex[(context.flags() >> 4) & 0xf];
  text_[54] = kHex[context.flags() & 0xf];
  size_ = text_.size();
}

}  // namespace tdemo::http
