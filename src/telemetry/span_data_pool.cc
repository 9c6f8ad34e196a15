#include "telemetry/span_data_pool.h"

#include "telemetry/span_queue.h"

namespace tdemo::telemetry {
namespace {

// Never destroyed: processors of static providers may recycle during static destruction.
BoundedSpanQueue& pool() {
  static auto* instance = new BoundedSpanQueue(kSpanDataPoolCapacity);
  return *instance;
}

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
  std::unique_ptr<SpanData> span = pool().try_pop();
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
  pool().try_push(span);  // when full, `span` still owns the object and deletes it
}

}  // namespace tdemo::telemetry
