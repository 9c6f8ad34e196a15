#include "telemetry/span_data_pool.h"

#include "telemetry/span_queue.h"

namespace tdemo::telemetry {
namespace {

// Never destroyed: processors of static providers may recycle during static destruction.
BoundedSpanQueue& pool() {
  static auto* instance = new BoundedSpanQueue(kSpanDataPoolCapacity);
  return *instance;
}

// This thread's spans, last in first out (the most recently used is the warmest in cache).
struct ThreadCache {
  ThreadCache() = default;
  ThreadCache(const ThreadCache&) = delete;
  ThreadCache& operator=(const ThreadCache&) = delete;
  ~ThreadCache() {
    for (std::size_t i = 0; i < count; ++i) delete spans[i];
  }
  SpanData* spans[kSpanDataThreadCacheCapacity];
  std::size_t count = 0;
};
thread_local ThreadCache thread_cache;

// Clears every field but the resource and scope, keeping the capacity of the containers (field by
// field: building a whole SpanData{} and move-assigning it costs more than the span's own work).
void reset(SpanData& span) {
  span.context = SpanContext();
  span.parent_span_id = SpanId();
  span.parent_is_remote = false;
  span.name.clear();
  span.kind = SpanKind::kInternal;
  span.start_time_unix_nano = 0;
  span.end_time_unix_nano = 0;
  clear_attributes_for_reuse(span.attributes);
  span.dropped_attributes_count = 0;
  span.events.clear();
  span.dropped_events_count = 0;
  span.links.clear();
  span.dropped_links_count = 0;
  span.status_code = StatusCode::kUnset;
  span.status_message.clear();
}

// Copy-assigns only when the pointers differ: no reference count traffic in the steady state.
template <class T>
void assign_if_different(std::shared_ptr<const T>& target, const std::shared_ptr<const T>& value) {
  if (target != value) target = value;
}

}  // namespace

std::unique_ptr<SpanData> acquire_span_data(
    const std::shared_ptr<const Resource>& resource,
    const std::shared_ptr<const InstrumentationScope>& scope) {
  ThreadCache& cache = thread_cache;
  if (cache.count == 0) {
    while (cache.count < kSpanDataThreadCacheCapacity / 2) {
      std::unique_ptr<SpanData> pooled = pool().try_pop();
      if (!pooled) break;
      cache.spans[cache.count++] = pooled.release();
    }
  }
  std::unique_ptr<SpanData> span;
  if (cache.count > 0) span.reset(cache.spans[--cache.count]);
  if (!span) {
    span = std::make_unique<SpanData>();
  } else {
    reset(*span);
  }
  assign_if_different(span->resource, resource);
  assign_if_different(span->scope, scope);
  return span;
}

void recycle_span_data(std::unique_ptr<SpanData> span) noexcept {
  if (!span) return;
  ThreadCache& cache = thread_cache;
  if (cache.count < kSpanDataThreadCacheCapacity) {
    cache.spans[cache.count++] = span.release();
    return;
  }
  pool().try_push(span);  // when full, `span` still owns the object and deletes it
}

}  // namespace tdemo::telemetry
