// Groups a batch of spans by resource, then by instrumentation scope, as OTLP nests them.
#pragma once

#include <vector>

#include "telemetry/span_processor.h"

namespace tdemo::telemetry::otlp {

struct ScopeGroup {
  const InstrumentationScope* scope;  // null: no scope recorded
  std::vector<const SpanData*> spans;
};

struct ResourceGroup {
  const Resource* resource;  // null: no resource recorded
  std::vector<ScopeGroup> scopes;
};

// Groups by pointer identity of SpanData::resource and SpanData::scope (providers share one
// object per resource and per scope). Groups keep the order of first appearance and spans keep
// batch order. The result points into `batch`, which must outlive it.
std::vector<ResourceGroup> group_by_resource_and_scope(const SpanBatch& batch);

// "k1=v1,k2=v2" (W3C tracestate header form); "" when the state is empty or null.
std::string serialize_trace_state(const SpanContext& context);

// Span.flags / Link.flags: W3C trace flags in bits 0-7, then SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE
// (bit 8) and SPAN_FLAGS_CONTEXT_IS_REMOTE (bit 9) for the parent (span) or linked context.
inline constexpr std::uint32_t kFlagsHasIsRemote = 0x100;
inline constexpr std::uint32_t kFlagsIsRemote = 0x200;
// Whether a parent span id is set (not all zero). Header-only so td_otlp needs nothing from
// td_telemetry's sources for encoding.
inline bool has_parent(const SpanData& span) noexcept {
  for (std::uint8_t b : span.parent_span_id.bytes) {
    if (b != 0) return true;
  }
  return false;
}

inline std::uint32_t span_flags(std::uint8_t trace_flags, bool remote) noexcept {
  return trace_flags | kFlagsHasIsRemote | (remote ? kFlagsIsRemote : 0u);
}

}  // namespace tdemo::telemetry::otlp
