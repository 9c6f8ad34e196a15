// What a trace search asks for, and the parsing of Jaeger's query parameters into it.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdemo::tracestore {

// Every criterion must hold for ONE span of a trace for the trace to match (Jaeger's rule).
// Times are nanoseconds since the Unix epoch.
struct TraceQuery {
  std::string service;    // "" = any service
  std::string operation;  // "" = any operation
  std::vector<std::pair<std::string, std::string>> tags;  // key == value (tag string form)
  std::uint64_t start_min_ns = 0;
  std::uint64_t start_max_ns = std::numeric_limits<std::uint64_t>::max();
  std::optional<std::uint64_t> duration_min_ns;
  std::optional<std::uint64_t> duration_max_ns;
  std::size_t limit = 20;
};

inline constexpr std::size_t kDefaultSearchLimit = 20;
// Upper bound on `limit` so one request cannot ask for the whole store.
inline constexpr std::size_t kMaxSearchLimit = 1500;
// Jaeger's default lookback when neither start nor lookback is given.
inline constexpr std::uint64_t kDefaultLookbackNs = 3600ULL * 24 * 2 * 1'000'000'000ULL;

// Parses a Go time.ParseDuration string ("1.5h", "100ms", "2h45m", "1us", "1µs", "0") into
// nanoseconds. Negative durations and overflow are rejected (nullopt).
std::optional<std::uint64_t> parse_go_duration(std::string_view text) noexcept;

// Query parameters as decoded (name, value) pairs, repeated names allowed, in order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Result of parsing /api/traces parameters: either a query (and explicit trace ids, if any
// traceID= parameters were given) or an error message for a 400 answer.
struct ParsedTraceQuery {
  TraceQuery query;
  std::vector<std::string> trace_ids;  // raw traceID= values, validated by the caller
  std::string error;                   // non-empty on failure
};

// Parses Jaeger's /api/traces parameters: service, operation, tags (JSON object), tag=k:v
// (repeated), start/end (µs since epoch), lookback (Go duration or "custom"), minDuration,
// maxDuration (Go durations), limit, traceID (repeated). `now_ns` anchors the default window.
ParsedTraceQuery parse_jaeger_trace_query(const QueryParams& params, std::uint64_t now_ns);

// Parses /api/v3/traces parameters: query.service_name, query.operation_name,
// query.start_time_min/max (RFC 3339), query.duration_min/max (Go durations or "1.5s" proto
// form), query.num_traces, query.attributes (JSON object) / query.attributes.KEY=VALUE.
ParsedTraceQuery parse_v3_trace_query(const QueryParams& params, std::uint64_t now_ns);

// Parses an RFC 3339 timestamp ("2024-01-02T03:04:05.123456789Z", offsets allowed) into ns.
std::optional<std::uint64_t> parse_rfc3339(std::string_view text) noexcept;

}  // namespace tdemo::tracestore
