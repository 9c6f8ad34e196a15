// The propagated part of a span: ids, flags, trace state. Immutable value type.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/ids.h"

namespace tdemo::telemetry {

inline constexpr std::uint8_t kTraceFlagSampled = 0x01;

// W3C tracestate: an ordered list of at most 32 vendor entries. Immutable after parse;
// shared between span contexts by pointer, so copies are cheap.
class TraceState {
 public:
  using Entry = std::pair<std::string, std::string>;
  static constexpr std::size_t kMaxMembers = 32;

  TraceState() = default;
  explicit TraceState(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  // Parses a tracestate header value (several header lines joined with ','). Returns nullopt
  // when the value is invalid as a whole (bad key or value, duplicate key, more than 32
  // members) — the caller then drops tracestate, as the W3C rules say. Empty list members
  // (",,") are allowed and skipped.
  static std::optional<TraceState> parse(std::string_view header);
  std::string serialize() const;

  bool empty() const noexcept { return entries_.empty(); }
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::optional<std::string_view> get(std::string_view key) const;
  // A new state with `key=value` moved to the front (W3C mutation rule); nullopt if invalid.
  std::optional<TraceState> with(std::string_view key, std::string_view value) const;

  static bool valid_key(std::string_view key) noexcept;
  static bool valid_value(std::string_view value) noexcept;
  friend bool operator==(const TraceState&, const TraceState&) = default;

 private:
  std::vector<Entry> entries_;
};

class SpanContext {
 public:
  SpanContext() = default;  // the invalid context
  // Ids are 16 and 8 trivially copyable bytes: by value on purpose.
  // cppcheck-suppress passedByValue
  SpanContext(TraceId trace_id, SpanId span_id, std::uint8_t flags, bool remote,
              std::shared_ptr<const TraceState> state = nullptr)
      : trace_id_(trace_id),
        span_id_(span_id),
        flags_(flags),
        remote_(remote),
        state_(std::move(state)) {}

  const TraceId& trace_id() const noexcept { return trace_id_; }
  const SpanId& span_id() const noexcept { return span_id_; }
  std::uint8_t flags() const noexcept { return flags_; }
  bool sampled() const noexcept { return (flags_ & kTraceFlagSampled) != 0; }
  bool remote() const noexcept { return remote_; }
  bool valid() const noexcept { return trace_id_.valid() && span_id_.valid(); }
  // Never null: an empty state when none was set.
  const TraceState& trace_state() const noexcept;
  const std::shared_ptr<const TraceState>& trace_state_ptr() const noexcept { return state_; }

 private:
  TraceId trace_id_;
  SpanId span_id_;
  std::uint8_t flags_ = 0;
  bool remote_ = false;
  std::shared_ptr<const TraceState> state_;
};

}  // namespace tdemo::telemetry
