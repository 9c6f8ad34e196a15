// Fuzzes Jaeger propagation: the first line of the input is the `uber-trace-id` value, each
// further line a "name:value" header (uberctx-* ones are Jaeger baggage). Extracting must never
// crash; what it finds (a valid span context, baggage) must survive inject -> extract
// unchanged.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/context.h"
#include "telemetry/propagation.h"
#include "telemetry/span_context.h"

using namespace tdemo::telemetry;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<TextMapPropagator> jaeger = make_jaeger_propagator();
  std::string_view input(reinterpret_cast<const char*>(data), size);

  std::vector<HeaderListCarrier::Header> headers;
  const auto first_end = input.find('\n');
  headers.emplace_back("uber-trace-id", std::string(input.substr(0, first_end)));
  input = first_end == std::string_view::npos ? std::string_view{} : input.substr(first_end + 1);
  // A few dozen headers are what a request carries; more only makes the carrier's lookups
  // (linear per key) slow the fuzzer down.
  while (!input.empty() && headers.size() < 64) {
    const auto end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }

  const Context extracted = jaeger->extract(HeaderListCarrier(headers), Context{});
  if (extracted.span.valid() && !extracted.span.remote()) std::abort();

  HeaderListCarrier injected;
  jaeger->inject(extracted, injected);
  const Context again = jaeger->extract(injected, Context{});
  if (again.span.valid() != extracted.span.valid()) std::abort();
  if (extracted.span.valid() && (again.span.trace_id() != extracted.span.trace_id() ||
                                 again.span.span_id() != extracted.span.span_id() ||
                                 again.span.sampled() != extracted.span.sampled())) {
    std::abort();
  }
  const bool had_baggage = extracted.baggage && !extracted.baggage->empty();
  const bool has_baggage = again.baggage && !again.baggage->empty();
  if (had_baggage != has_baggage) std::abort();
  if (had_baggage && !(*again.baggage == *extracted.baggage)) std::abort();
  return 0;
}
