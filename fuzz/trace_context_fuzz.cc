// Fuzzes the W3C traceparent, tracestate and baggage parsers, and checks that whatever parses
// survives a format → parse round trip unchanged.
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
    auto again = parse_baggage(format_baggage(*baggage));
    if (!again || !(*again == *baggage)) std::abort();
  }
  return 0;
}
