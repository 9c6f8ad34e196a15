// The explicit request context: the current span's context plus baggage.
//
// There is deliberately no thread-local "current context": code passes a Context along (by
// const reference or value) through handlers and coroutines, so it stays correct across
// co_await on a multi-threaded executor. Copying is cheap (ids + two shared pointers).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/span_context.h"

namespace tdemo::telemetry {

// W3C baggage: ordered name/value pairs with optional properties (kept verbatim).
struct BaggageEntry {
  std::string name;
  std::string value;
  std::string properties;  // e.g. "prop1;prop2=x", without the leading ';'
  friend bool operator==(const BaggageEntry&, const BaggageEntry&) = default;
};
using Baggage = std::vector<BaggageEntry>;

struct Context {
  SpanContext span;                        // invalid when there is no parent
  std::shared_ptr<const Baggage> baggage;  // may be null (no baggage)

  Context with_span(SpanContext s) const { return Context{std::move(s), baggage}; }
};

}  // namespace tdemo::telemetry
