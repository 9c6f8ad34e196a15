// Jaeger's native propagation: `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`
// and baggage as `uberctx-{key}: {url-encoded value}` headers.
#include "telemetry/propagation.h"
#include "telemetry/propagation/text_util.h"

namespace tdemo::telemetry {
namespace {

constexpr char kUberTraceId[] = "uber-trace-id";
constexpr char kBaggagePrefix[] = "uberctx-";
constexpr std::uint8_t kJaegerSampled = 0x01;
constexpr std::uint8_t kJaegerDebug = 0x02;  // debug implies sampled

// Hex (either case) of 1..2N digits, left-padded with zeros into `bytes` (N = 16 or 8).
template <std::size_t N>
bool parse_padded_hex(std::string_view hex, std::array<std::uint8_t, N>& bytes) {
  if (hex.empty() || hex.size() > 2 * N) return false;
  char padded[2 * N];
  const std::size_t pad = 2 * N - hex.size();
  for (std::size_t i = 0; i < pad; ++i) padded[i] = '0';
  for (std::size_t i = 0; i < hex.size(); ++i) padded[pad + i] = text::ascii_lower(hex[i]);
  const std::string_view digits(padded, 2 * N);
  static_assert(N == 16 || N == 8);
  if constexpr (N == 16) {
    auto id = TraceId::from_hex(digits);
    if (!id) return false;
    bytes = id->bytes;
  } else {
    auto id = SpanId::from_hex(digits);
    if (!id) return false;
    bytes = id->bytes;
  }
  return true;
}

std::optional<SpanContext> parse_uber_trace_id(std::string_view raw) {
  std::string decoded;
  if (!text::percent_decode(text::trim_ows(raw), decoded)) return std::nullopt;  // "%3A" form
  std::string_view parts[4];
  std::string_view rest = decoded;
  for (int i = 0; i < 4; ++i) {
    const auto colon = rest.find(':');
    if ((i < 3) == (colon == std::string_view::npos)) return std::nullopt;  // exactly 4 parts
    parts[i] = rest.substr(0, colon);
    if (colon != std::string_view::npos) rest.remove_prefix(colon + 1);
  }
  TraceId trace_id;
  SpanId span_id;
  if (!parse_padded_hex(parts[0], trace_id.bytes) || !parse_padded_hex(parts[1], span_id.bytes)) {
    return std::nullopt;
  }
  if (!trace_id.valid() || !span_id.valid()) return std::nullopt;
  // Flags: one byte in hex (Jaeger clients write "1", "01", "3"...).
  if (parts[3].empty() || parts[3].size() > 2) return std::nullopt;
  unsigned flags = 0;
  for (char c : parts[3]) {
    const char lower = text::ascii_lower(c);
    if (lower >= '0' && lower <= '9') {
      flags = flags * 16 + static_cast<unsigned>(lower - '0');
    } else if (lower >= 'a' && lower <= 'f') {
      flags = flags * 16 + static_cast<unsigned>(lower - 'a' + 10);
    } else {
      return std::nullopt;
    }
  }
  const bool sampled = (flags & (kJaegerSampled | kJaegerDebug)) != 0;
  return SpanContext(trace_id, span_id, sampled ? kTraceFlagSampled : 0, true);
}

class JaegerPropagator final : public TextMapPropagator {
 public:
  Context extract(const TextMapCarrier& carrier, const Context& context) const override {
    Context out = context;
    if (const auto header = carrier.get(kUberTraceId)) {
      if (auto span = parse_uber_trace_id(*header)) out.span = std::move(*span);
    }
    Baggage baggage;
    for (const auto& key : carrier.keys()) {
      if (!text::istarts_with(key, kBaggagePrefix) || key.size() == sizeof(kBaggagePrefix) - 1) {
        continue;
      }
      const auto value = carrier.get(key);
      BaggageEntry entry;
      entry.name = key.substr(sizeof(kBaggagePrefix) - 1);
      for (auto& c : entry.name) c = text::ascii_lower(c);
      if (!value || !text::percent_decode(*value, entry.value)) continue;
      baggage.push_back(std::move(entry));
    }
    if (!baggage.empty()) {
      // Merge over the baggage already in the context: Jaeger's entries win by name.
      Baggage merged = context.baggage ? *context.baggage : Baggage{};
      for (auto& entry : baggage) {
        std::erase_if(merged, [&](const BaggageEntry& e) { return e.name == entry.name; });
        merged.push_back(std::move(entry));
      }
      out.baggage = std::make_shared<const Baggage>(std::move(merged));
    }
    return out;
  }

  void inject(const Context& context, TextMapCarrier& carrier) const override {
    if (context.span.valid()) {
      // Parent span id "0": deprecated in Jaeger and not known here.
      std::string value = context.span.trace_id().hex() + ":" + context.span.span_id().hex() +
                          ":0:" + (context.span.sampled() ? "1" : "0");
      carrier.set(kUberTraceId, value);
    }
    if (context.baggage) {
      for (const auto& entry : *context.baggage) {
        const auto unreserved = [](unsigned char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~';
        };
        carrier.set(std::string(kBaggagePrefix) + entry.name,
                    text::percent_encode(entry.value, unreserved));
      }
    }
  }

  std::vector<std::string> fields() const override { return {kUberTraceId}; }
};

}  // namespace

std::unique_ptr<TextMapPropagator> make_jaeger_propagator() {
  return std::make_unique<JaegerPropagator>();
}

}  // namespace tdemo::telemetry
