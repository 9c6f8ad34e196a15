#include "telemetry/span_data_pool.h"

#include "telemetry/prefetch.h"
#include "telemetry/span_queue.h"

#include <iterator>
#include <memory>
#include <vector>

namespace tdemo::telemetry {
namespace {

// Spans move between threads in bundles: a thread starting spans takes a bundle at a time from
// the shared pool, and the exporting thread gives them back a bundle at a time, so the shared
// pool (lock-free) is touched once per kBundleSize spans and the span path itself touches only
// its own thread's cache: no atomic operation, no cache line written by another core.
constexpr std::size_t kBundleSize = 64;
constexpr std::size_t kMaxSharedBundles = kSpanDataPoolCapacity / kBundleSize;
using Bundle = std::vector<std::unique_ptr<SpanData>>;

// Never destroyed: processors of static providers may recycle during static destruction.
// Bundles of kBundleSize spans each.
BoundedQueue<Bundle>& shared_pool() {
  static auto* instance = new BoundedQueue<Bundle>(kMaxSharedBundles);
  return *instance;
}

// A thread's own spans, at most two bundles' worth, and its reserve for bursts
// (acquire_burst_span_data), apart from them.
struct ThreadCache {
  ThreadCache() {
    spans.reserve(2 * kBundleSize);
    burst.reserve(kSpanBurstReserveCapacity);
  }
  ~ThreadCache();
  Bundle spans;
  Bundle burst;
};
// Trivially destructible, so readable after the cache itself is gone (at thread exit, when
// other thread_local or static objects may still end spans).
thread_local bool cache_destroyed = false;
thread_local ThreadCache cache;
ThreadCache::~ThreadCache() { cache_destroyed = true; }

ThreadCache* thread_cache() { return cache_destroyed ? nullptr : &cache; }

// Refills an empty thread cache with one bundle from the shared pool, if it has one.
void take_bundle(ThreadCache& local) {
  std::unique_ptr<Bundle> bundle = shared_pool().try_pop();
  if (!bundle) return;
  // Moved into the cache's own vector, which keeps its capacity for recycle_span_data.
  local.spans.assign(std::make_move_iterator(bundle->begin()), std::make_move_iterator(bundle->end()));
}

// Moves the newest bundle of a full thread cache to the shared pool (or deletes it when the
// shared pool is full).
void give_bundle(ThreadCache& local) {
  auto bundle = std::make_unique<Bundle>();
  bundle->reserve(kBundleSize);
  const auto first = local.spans.end() - static_cast<std::ptrdiff_t>(kBundleSize);
  bundle->assign(std::make_move_iterator(first), std::make_move_iterator(local.spans.end()));
  local.spans.erase(first, local.spans.end());
  shared_pool().try_push(bundle);  // when full, `bundle` deletes its spans
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

// The spans next in line in a thread's cache were last touched on another core (the exporting
// thread, or before they went through the shared pool): the first touch of each of their cache
// lines waits for memory. Two steps ahead: the header of the second span in line, and the
// attribute entries of the first (whose header was asked for at the previous acquire), which
// reset() reads and clears. (Asking for the key and text buffers too, a third step, measured
// no better: those are written, and writes wait less.)
[[gnu::always_inline]] inline void prefetch_next(const Bundle& spans) {
  const std::size_t n = spans.size();
  if (n >= 1) prefetch_entries<PrefetchFor::kWrite>(spans[n - 1]->attributes);
  if (n >= 2) prefetch_object<PrefetchFor::kWrite>(spans[n - 2].get());
}

// The newest span of `spans` (not empty), taken out and cleared, the next ones asked for.
std::unique_ptr<SpanData> take_cleared(Bundle& spans) {
  std::unique_ptr<SpanData> span = std::move(spans.back());
  spans.pop_back();
  prefetch_next(spans);
  reset(*span);
  return span;
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
  std::unique_ptr<SpanData> span;
  if (ThreadCache* local = thread_cache()) {
    if (local->spans.empty()) take_bundle(*local);
    if (!local->spans.empty()) span = take_cleared(local->spans);
  }
  if (!span) span = std::make_unique<SpanData>();
  assign_if_different(span->resource, resource);
  assign_if_different(span->scope, scope);
  return span;
}

std::unique_ptr<SpanData> acquire_burst_span_data() {
  ThreadCache* local = thread_cache();
  if (local == nullptr || local->burst.empty()) return acquire_span_data();
  std::unique_ptr<SpanData> span = take_cleared(local->burst);
  span->resource.reset();  // as acquire_span_data() leaves them
  span->scope.reset();
  return span;
}

void recycle_burst_span_data(std::unique_ptr<SpanData> span) noexcept {
  if (!span) return;
  ThreadCache* local = thread_cache();
  if (local != nullptr && local->burst.size() < kSpanBurstReserveCapacity) {
    local->burst.push_back(std::move(span));  // within the reserved capacity
    return;
  }
  recycle_span_data(std::move(span));
}

void recycle_span_data(std::unique_ptr<SpanData> span) noexcept {
  if (!span) return;
  ThreadCache* local = thread_cache();
  if (local == nullptr) return;  // a thread past its cache: `span` deletes the object
  try {
    local->spans.push_back(std::move(span));  // within the reserved capacity
    if (local->spans.size() >= 2 * kBundleSize) give_bundle(*local);
  } catch (...) {
    // Out of memory for a bundle vector: the spans it held are deleted; nothing else to do.
  }
}

}  // namespace tdemo::telemetry
