// W3C Trace Context Level 1: traceparent and tracestate.
#include "telemetry/propagation.h"
#include "telemetry/propagation/text_util.h"

namespace tdemo::telemetry {
namespace {

constexpr std::size_t kTraceparentLength = 55;  // "vv-<32>-<16>-ff"
constexpr char kTraceparent[] = "traceparent";
constexpr char kTracestate[] = "tracestate";

int lower_hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

class TraceContextPropagator final : public TextMapPropagator {
 public:
  Context extract(const TextMapCarrier& carrier, const Context& context) const override {
    const auto traceparent = carrier.get(kTraceparent);
    if (!traceparent) return context;
    auto span = parse_traceparent(*traceparent);
    // An invalid traceparent means a new trace: tracestate is not even looked at.
    if (!span) return context;
    std::shared_ptr<const TraceState> state;
    if (const auto tracestate = carrier.get(kTracestate)) {
      auto parsed = TraceState::parse(*tracestate);
      if (parsed && !parsed->empty())
        state = std::make_shared<const TraceState>(std::move(*parsed));
    }
    return context.with_span(
        SpanContext(span->trace_id(), span->span_id(), span->flags(), true, std::move(state)));
  }

  void inject(const Context& context, TextMapCarrier& carrier) const override {
    if (!context.span.valid()) return;
    char traceparent[kTraceparentLength];
    format_traceparent(context.span, traceparent);
    carrier.set(kTraceparent, std::string_view(traceparent, kTraceparentLength));
    const TraceState& state = context.span.trace_state();
    if (!state.empty()) carrier.set(kTracestate, state.serialize());
  }

  std::vector<std::string> fields() const override { return {kTraceparent, kTracestate}; }
};

}  // namespace

std::optional<SpanContext> parse_traceparent(std::string_view value) noexcept {
  value = text::trim_ows(value);
  if (value.size() < kTraceparentLength) return std::nullopt;
  const int version_high = lower_hex(value[0]);
  const int version_low = lower_hex(value[1]);
  if (version_high < 0 || version_low < 0) return std::nullopt;
  const int version = version_high * 16 + version_low;
  if (version == 0xff) return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may append fields after a '-'.
  if (version == 0 ? value.size() != kTraceparentLength
                   : (value.size() > kTraceparentLength && value[kTraceparentLength] != '-')) {
    return std::nullopt;
  }
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  const auto trace_id = TraceId::from_hex(value.substr(3, 32));
  const auto span_id = SpanId::from_hex(value.substr(36, 16));
  const int flags_high = lower_hex(value[53]);
  const int flags_low = lower_hex(value[54]);
  if (!trace_id || !span_id || flags_high < 0 || flags_low < 0) return std::nullopt;
  if (!trace_id->valid() || !span_id->valid()) return std::nullopt;
  // Level 1 defines only the sampled flag; unknown flags are not propagated.
  const auto flags = static_cast<std::uint8_t>((flags_high * 16 + flags_low) & kTraceFlagSampled);
  return SpanContext(*trace_id, *span_id, flags, true);
}

void format_traceparent(const SpanContext& context, char out[55]) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  out[0] = '0';
  out[1] = '0';
  out[2] = '-';
  context.trace_id().write_hex(out + 3);
  out[35] = '-';
  context.span_id().write_hex(out + 36);
  out[52] = '-';
  out[53] = kHex[context.flags() >> 4];
  out[54] = kHex[context.flags() & 0x0f];
}

std::string format_traceparent(const SpanContext& context) {
  std::string out(kTraceparentLength, '0');
  format_traceparent(context, out.data());
  return out;
}

std::unique_ptr<TextMapPropagator> make_trace_context_propagator() {
  return std::make_unique<TraceContextPropagator>();
}

}  // namespace tdemo::telemetry
