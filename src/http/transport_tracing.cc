#include "http/transport_tracing.h"

#include "telemetry/telemetry.h"

namespace tdemo::http {

TransportTracing transport_tracing(telemetry::Telemetry& telemetry) {
  return TransportTracing{telemetry.tracer("tracing-demo.http"), &telemetry.propagator()};
}

std::string format_traceresponse(const telemetry::SpanContext& context) {
  if (!context.valid()) return {};
  // Same layout as traceparent: version 00, trace id, the responder's span id, flags.
  std::string out(55, '0');
  context.trace_id().write_hex(out.data() + 3);
  out[35] = '-';
  context.span_id().write_hex(out.data() + 36);
  out[2] = '-';
  out[52] = '-';
  static constexpr char kHex[] = "0123456789abcdef";
  out[53] = kHex[(context.flags() >> 4) & 0xf];
  out[54] = kHex[context.flags() & 0xf];
  return out;
}

}  // namespace tdemo::http
