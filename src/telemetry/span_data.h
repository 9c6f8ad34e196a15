// The recorded form of a span, as processors and exporters see it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "telemetry/attributes.h"
#include "telemetry/span_context.h"

namespace tdemo::telemetry {

// Values match OTLP's Span.SpanKind.
enum class SpanKind : std::uint8_t {
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};
// Values match OTLP's Status.StatusCode.
enum class StatusCode : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

const char* to_string(SpanKind kind) noexcept;    // "INTERNAL", "SERVER", ...
const char* to_string(StatusCode code) noexcept;  // "UNSET", "OK", "ERROR"

struct Event {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
};

struct Link {
  SpanContext context;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
};

// The entity producing telemetry: service.name and friends. Immutable once built.
struct Resource {
  Attributes attributes;
  std::string schema_url;
  // The value of service.name, or "" when absent.
  std::string_view service_name() const noexcept;
};

struct InstrumentationScope {
  std::string name;
  std::string version;
  std::string schema_url;
};

// One finished (or, inside on_start, just started) span. Owned by exactly one holder at a
// time: the Span handle while recording, then the processor pipeline. Not thread-safe.
struct SpanData {
  SpanContext context;
  SpanId parent_span_id;  // invalid for a root span
  bool parent_is_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::uint64_t start_time_unix_nano = 0;
  std::uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
  std::vector<Event> events;
  std::uint32_t dropped_events_count = 0;
  std::vector<Link> links;
  std::uint32_t dropped_links_count = 0;
  StatusCode status_code = StatusCode::kUnset;
  std::string status_message;
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const InstrumentationScope> scope;
};

// Nanoseconds since the Unix epoch, from the system clock.
std::uint64_t now_unix_nano() noexcept;

}  // namespace tdemo::telemetry
