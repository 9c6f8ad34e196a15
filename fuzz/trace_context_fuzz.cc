// Fuzzes the W3C traceparent, tracestate and baggage parsers, and checks that whatever parses
// survives a format → parse round trip (baggage: see the note below).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "telemetry/context.h"
#include "telemetry/propagation.h"
#include "telemetry/span_context.h"

using namespace tdemo::telemetry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto context = parse_traceparent(input)) {
    auto again = parse_traceparent(format_traceparent(*context));
    if (!again || again->trace_id() != context->trace_id() ||
        again->span_id() != context->span_id() || again->flags() != context->flags()) {
      std::abort();
    }
  }
  if (auto state = TraceState::parse(input)) {
    if (state->entries().size() > TraceState::kMaxMembers) std::abort();
    auto again = TraceState::parse(state->serialize());
    if (!again || !(*again == *state)) std::abort();
  }
  if (auto baggage = parse_baggage(input)) {
    // parse_baggage also accepts raw bytes that are not baggage-octets (controls, non-ASCII),
    // which format_baggage percent-encodes to three bytes each: such a member can outgrow
    // kMaxBaggageMemberBytes and be dropped (docs/reliability.md, fuzzing finding 2). So the
    // round trip may lose members, but never change, reorder or invent one, and a second
    // round is exact.
    const std::string formatted = format_baggage(*baggage);
    if (!formatted.empty()) {
      auto again = parse_baggage(formatted);
      if (!again) std::abort();
      std::size_t next = 0;
      for (const auto& entry : *again) {
        while (next < baggage->size() && !((*baggage)[next] == entry)) ++next;
        if (next == baggage->size()) std::abort();
        ++next;
      }
      if (format_baggage(*again) != formatted) std::abort();
    }
  }
  return 0;
}
