// Span limits per the OpenTelemetry specification (OTEL_SPAN_* / OTEL_ATTRIBUTE_* variables).
#pragma once

#include <cstddef>

namespace tdemo::telemetry {

struct SpanLimits {
  std::size_t attribute_count = 128;
  std::size_t attribute_value_length = 0;  // 0: no limit (the spec's default)
  std::size_t event_count = 128;
  std::size_t link_count = 128;
  std::size_t attributes_per_event = 128;
  std::size_t attributes_per_link = 128;
};

}  // namespace tdemo::telemetry
