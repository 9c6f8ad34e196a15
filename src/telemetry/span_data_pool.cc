#include "telemetry/span_data_pool.h"

#include "telemetry/span_queue.h"

namespace tdemo::telemetry {
namespace {

// Never destroyed: processors of static providers may recycle during static destruction.
BoundedSpanQueue& pool() {
  static auto* instance = new BoundedSpanQueue(kSpanDataPoolCapacity);
  return *instance;
}

// Clears every field while keeping the capacity of the containers.
void reset(SpanData& span) {
  Attributes attributes = std::move(span.attributes);
  std::vector<Event> events = std::move(span.events);
  std::vector<Link> links = std::move(span.links);
  std::string name = std::move(span.name);
  std::string status_message = std::move(span.status_message);
  attributes.clear();
  events.clear();
  links.clear();
  name.clear();
  status_message.clear();
  span = SpanData{};
  span.attributes = std::move(attributes);
  span.events = std::move(events);
  span.links = std::move(links);
  span.name = std::move(name);
  span.status_message = std::move(status_message);
}

}  // namespace

std::unique_ptr<SpanData> acquire_span_data() {
  std::unique_ptr<SpanData> span = pool().try_pop();
  if (!span) return std::make_unique<SpanData>();
  // The clearing (and so the freeing of strings) happens here, on the thread that will
  // allocate again, where the allocator's thread cache makes it cheap.
  reset(*span);
  return span;
}

void recycle_span_data(std::unique_ptr<SpanData> span) noexcept {
  if (!span) return;
  span->resource.reset();
  span->scope.reset();
  span->context = SpanContext();  // drops the trace state reference
  pool().try_push(span);          // when full, `span` still owns the object and deletes it
}

}  // namespace tdemo::telemetry
