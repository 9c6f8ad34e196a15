// The in-memory trace store: compact span records, indexes for search, bounded by a maximum
// number of traces (oldest evicted first).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "telemetry/span_data.h"
#include "tracestore/string_interner.h"
#include "tracestore/trace_query.h"

namespace tdemo::tracestore {

// A whole trace as returned by queries: spans in arrival order, fully decoded.
struct Trace {
  telemetry::TraceId id;
  std::vector<telemetry::SpanData> spans;
};

struct Operation {
  std::string name;
  telemetry::SpanKind kind = telemetry::SpanKind::kInternal;
};

// One edge of the service map: calls from `parent` to `child` (a span of service child whose
// parent span belongs to service parent).
struct DependencyLink {
  std::string parent;
  std::string child;
  std::uint64_t call_count = 0;
  std::uint64_t error_count = 0;     // child spans with status ERROR
  std::uint64_t p50_duration_ns = 0;  // of the child spans
  std::uint64_t p95_duration_ns = 0;
};

struct StoreStats {
  std::uint64_t spans_received = 0;  // offered to add(), valid or not
  std::uint64_t spans_rejected = 0;
  std::uint64_t traces_stored = 0;
  std::uint64_t spans_stored = 0;
  std::uint64_t traces_evicted = 0;
  std::uint64_t spans_evicted = 0;
  std::uint64_t memory_bytes = 0;  // estimate of the store's heap use
};

struct TraceStoreOptions {
  std::size_t max_traces = 100'000;          // oldest (first seen) trace evicted beyond this
  std::size_t max_spans_per_trace = 50'000;  // further spans of a trace are rejected
};

struct AddResult {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  std::string first_error;  // why the first rejected span was rejected
};

// Thread-safe: any number of concurrent readers and writers (a reader-writer lock; writers
// hold it only to link already-encoded records). Query results are copies, owned by the caller.
class TraceStore {
 public:
  explicit TraceStore(TraceStoreOptions options = {});
  ~TraceStore();
  TraceStore(const TraceStore&) = delete;
  TraceStore& operator=(const TraceStore&) = delete;

  // Stores the spans, merging them into existing traces. Spans with an invalid trace or span
  // id, or beyond max_spans_per_trace, are rejected (counted).
  AddResult add(std::span<const std::unique_ptr<telemetry::SpanData>> spans);
  // The same, with the attributes of spans[i] given as attributes[i] (the spans' own
  // `attributes` are ignored): for a receiver that decodes them as references.
  AddResult add(std::span<const std::unique_ptr<telemetry::SpanData>> spans,
                std::span<const std::span<const telemetry::AttributeRef>> attributes);
  AddResult add(std::span<const telemetry::SpanData> spans);

  std::optional<Trace> get_trace(const telemetry::TraceId& id) const;
  // Traces with at least one span matching every criterion, newest (by trace start) first.
  std::vector<Trace> find_traces(const TraceQuery& query) const;
  // Same, ids only (cheap).
  std::vector<telemetry::TraceId> find_trace_ids(const TraceQuery& query) const;

  std::vector<std::string> services() const;  // sorted
  // Operations of `service` (all kinds when `kind` is empty), sorted by name then kind.
  std::vector<Operation> operations(std::string_view service,
                                    std::optional<telemetry::SpanKind> kind = {}) const;
  // Edges between services over traces that start within [end_ns - lookback_ns, end_ns].
  std::vector<DependencyLink> dependencies(std::uint64_t end_ns, std::uint64_t lookback_ns) const;

  StoreStats stats() const;

 private:
  struct SpanRecord;
  struct TraceRecord;
  struct Process;
  struct Scope;
  struct TraceIdHash {
    std::size_t operator()(const telemetry::TraceId& id) const noexcept;
  };

  AddResult add_one_locked(const telemetry::SpanData& span, AddResult& result,
                           const std::span<const telemetry::AttributeRef>* attributes = nullptr);
  template <class AddOne>
  AddResult add_locked_run(std::size_t count, AddOne&& add_one);
  std::uint32_t process_id_locked(const telemetry::SpanData& span);
  std::uint32_t scope_id_locked(const telemetry::SpanData& span);
  // Places the traces of start_changed_ in by_start_ and empties it (the end of every add()).
  void index_changed_starts_locked();
  void evict_locked();
  bool span_matches(const SpanRecord& span, const TraceQuery& query,
                    std::optional<std::uint32_t> service_id,
                    std::optional<std::uint32_t> operation_id) const;
  template <typename Fn>
  void for_each_match(const TraceQuery& query, Fn&& fn) const;
  Trace decode_locked(const TraceRecord& trace) const;

  TraceStoreOptions options_;
  mutable std::shared_mutex mutex_;
  StringInterner strings_;  // service, operation and attribute-key names
  std::vector<Process> processes_;
  std::unordered_map<std::string, std::uint32_t> process_ids_;  // encoded resource -> id
  // The id last found for an object shared by a run of spans, by its address; valid within
  // one add() call only (a freed object's address may come back).
  template <class T>
  struct LastLookup {
    const T* object = nullptr;
    std::uint32_t id = 0;
    template <class Lookup>
    std::uint32_t id_of(const std::shared_ptr<const T>& shared, Lookup&& lookup) {
      if (!shared || shared.get() != object) {
        id = lookup();
        object = shared.get();
      }
      return id;
    }
  };
  LastLookup<telemetry::Resource> last_resource_;
  std::vector<Scope> scopes_;
  std::map<std::pair<std::string, std::string>, std::uint32_t> scope_ids_;
  LastLookup<telemetry::InstrumentationScope> last_scope_;
  std::unordered_map<telemetry::TraceId, std::unique_ptr<TraceRecord>, TraceIdHash> traces_;
  std::deque<TraceRecord*> arrival_order_;                         // eviction: front = oldest
  // Search order: each trace under its start as of the end of the add() that last changed it.
  std::set<std::pair<std::uint64_t, TraceRecord*>> by_start_;
  // Traces whose start an add() in progress set or moved earlier: their by_start_ entries are
  // placed once, at its end (spans arrive children first, each earlier than the one before).
  std::vector<TraceRecord*> start_changed_;
  std::map<std::uint32_t, std::map<std::pair<std::uint32_t, std::uint8_t>, std::uint64_t>>
      operations_;  // service id -> (operation id, kind) -> spans seen
  std::uint64_t spans_stored_ = 0;
  std::uint64_t details_bytes_ = 0;
  std::atomic<std::uint64_t> spans_received_{0};
  std::atomic<std::uint64_t> spans_rejected_{0};
  std::uint64_t traces_evicted_ = 0;
  std::uint64_t spans_evicted_ = 0;
};

// Lowercase Jaeger name of a span kind ("server", "client", ...).
const char* jaeger_span_kind(telemetry::SpanKind kind) noexcept;
std::optional<telemetry::SpanKind> parse_jaeger_span_kind(std::string_view text) noexcept;

}  // namespace tdemo::tracestore
