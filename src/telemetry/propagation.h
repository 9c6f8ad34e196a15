// Context propagation across process boundaries (W3C tracecontext, W3C baggage, Jaeger).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/context.h"

namespace tdemo::telemetry {

// Read/write access to a carrier's headers. Header names are matched case-insensitively by
// implementations (HTTP header semantics).
class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;
  // The value of `key`; when a header occurs several times, the values joined with ','.
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  virtual void set(std::string_view key, std::string_view value) = 0;
  // Every header name present (for prefix-named fields such as Jaeger's uberctx-*). The
  // default reports none, so carriers that cannot list their keys still work for the rest.
  virtual std::vector<std::string> keys() const { return {}; }
};

// A carrier over an ordered list of headers (tests, and simple integrations). Names compare
// case-insensitively; set() replaces every header of that name. Not thread-safe.
class HeaderListCarrier final : public TextMapCarrier {
 public:
  using Header = std::pair<std::string, std::string>;
  HeaderListCarrier() = default;
  explicit HeaderListCarrier(std::vector<Header> headers) : headers_(std::move(headers)) {}

  std::optional<std::string> get(std::string_view key) const override;
  void set(std::string_view key, std::string_view value) override;
  std::vector<std::string> keys() const override;
  const std::vector<Header>& headers() const noexcept { return headers_; }

 private:
  std::vector<Header> headers_;
};

// Immutable and thread-safe.
class TextMapPropagator {
 public:
  TextMapPropagator() = default;
  TextMapPropagator(const TextMapPropagator&) = delete;
  TextMapPropagator& operator=(const TextMapPropagator&) = delete;
  virtual ~TextMapPropagator() = default;

  // Returns `context` with what the carrier holds merged in (a remote span context, baggage);
  // `context` unchanged when the carrier holds nothing valid for this propagator.
  virtual Context extract(const TextMapCarrier& carrier, const Context& context) const = 0;
  virtual void inject(const Context& context, TextMapCarrier& carrier) const = 0;
  virtual std::vector<std::string> fields() const = 0;
};

std::unique_ptr<TextMapPropagator> make_trace_context_propagator();
std::unique_ptr<TextMapPropagator> make_baggage_propagator();
std::unique_ptr<TextMapPropagator> make_jaeger_propagator();
// Runs each in order (extract: later ones win where they find something; inject: all).
std::unique_ptr<TextMapPropagator> make_composite_propagator(
    std::vector<std::unique_ptr<TextMapPropagator>> parts);
// A propagator by its OTEL_PROPAGATORS name: tracecontext, baggage, jaeger. Null when unknown.
std::unique_ptr<TextMapPropagator> make_propagator(std::string_view name);

// W3C baggage limits (as the OpenTelemetry SDKs apply them).
inline constexpr std::size_t kMaxBaggageMembers = 180;
inline constexpr std::size_t kMaxBaggageBytes = 8192;
inline constexpr std::size_t kMaxBaggageMemberBytes = 4096;

// W3C traceparent, exposed for reuse, tests and benchmarks.
// Parses per Trace Context Level 1 §3.2 (version 00 exact; higher versions by their first 55
// characters followed by end or '-'; version ff, uppercase hex, all-zero ids invalid).
std::optional<SpanContext> parse_traceparent(std::string_view value) noexcept;
// "00-<trace>-<span>-<flags>" (55 chars).
std::string format_traceparent(const SpanContext& context);
void format_traceparent(const SpanContext& context, char out[55]) noexcept;

// W3C baggage header. Values are percent-decoded on parse and percent-encoded on format;
// properties are kept verbatim. Invalid members are skipped; members beyond the limits above
// are dropped. parse returns nullopt only when nothing can be salvaged.
std::optional<Baggage> parse_baggage(std::string_view header);
std::string format_baggage(const Baggage& baggage);

}  // namespace tdemo::telemetry
