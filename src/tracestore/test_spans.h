// Helpers for the tracestore unit tests and benchmark: build SpanData quickly.
#pragma once

#include <memory>
#include <string>

#include "telemetry/span_data.h"

namespace tdemo::tracestore::testing {

inline telemetry::TraceId trace_id(std::uint64_t n) {
  telemetry::TraceId id;
  for (int i = 0; i < 8; ++i) id.bytes[15 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  id.bytes[0] = 0xab;  // high half non-zero: rendered as 32 hex chars
  return id;
}

inline telemetry::SpanId span_id(std::uint64_t n) {
  telemetry::SpanId id;
  for (int i = 0; i < 8; ++i) id.bytes[7 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  return id;
}

inline std::shared_ptr<const telemetry::Resource> resource(const std::string& service) {
  auto r = std::make_shared<telemetry::Resource>();
  r->attributes.push_back({"service.name", service});
  r->attributes.push_back({"host.name", std::string("box-1")});
  return r;
}

inline telemetry::SpanData span(std::uint64_t trace, std::uint64_t id, std::uint64_t parent,
                                const std::string& name,
                                std::shared_ptr<const telemetry::Resource> res,
                                std::uint64_t start_ns, std::uint64_t duration_ns) {
  telemetry::SpanData s;
  s.context = telemetry::SpanContext(trace_id(trace), span_id(id), 1, false);
  if (parent) s.parent_span_id = span_id(parent);
  s.name = name;
  s.kind = telemetry::SpanKind::kServer;
  s.start_time_unix_nano = start_ns;
  s.end_time_unix_nano = start_ns + duration_ns;
  s.resource = std::move(res);
  static const auto scope = std::make_shared<const telemetry::InstrumentationScope>(
      telemetry::InstrumentationScope{"tdemo", "1.0", ""});
  s.scope = scope;
  return s;
}

}  // namespace tdemo::tracestore::testing
