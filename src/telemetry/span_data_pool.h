// A process-wide, bounded cache of SpanData objects, so the span hot path reuses memory
// (vectors keep their capacity) instead of allocating on one thread and freeing on another.
#pragma once

#include <cstddef>
#include <memory>

#include "telemetry/span_data.h"

namespace tdemo::telemetry {

inline constexpr std::size_t kSpanDataPoolCapacity = 1024;

// A SpanData equal to a default-constructed one except that it carries `resource` and
// `scope`, recycled when the pool has one. Thread-safe and lock-free.
std::unique_ptr<SpanData> acquire_span_data(
    const std::shared_ptr<const Resource>& resource = nullptr,
    const std::shared_ptr<const InstrumentationScope>& scope = nullptr);

// Gives a finished span back (null is ignored); when the pool is full the span is deleted.
// Thread-safe and lock-free. The span is cleared when it is next acquired, on the thread that
// will fill it again: its strings are freed where the allocator's thread cache makes that
// cheap, and its resource and scope references are replaced there only when they differ, so
// the reference counts of a provider's resource and scope stay on the threads that start spans
// instead of bouncing between them and the exporting thread. (A pooled span may keep a
// resource alive until the span is reused: at most kSpanDataPoolCapacity references, plus 127
// per thread that recycles spans.)
void recycle_span_data(std::unique_ptr<SpanData> span) noexcept;

// The spans a thread takes and gives back in bursts: a receiver decodes a request's spans (up
// to hundreds), stores them and gives them all back before its next request. They come from
// and go back to a reserve of this thread's own (up to kSpanBurstReserveCapacity spans; past it
// they go to the pool, and an empty reserve takes from the pool), so a burst neither drains
// the pool that the threads starting spans draw on nor overflows it when given back, and a
// receiver's spans stay in its own thread's caches. Like a pooled span, a reserved one keeps
// its last resource and scope alive until it is reused (the decoded ones of the thread's last
// requests). Thread-safe, as acquire_span_data.
inline constexpr std::size_t kSpanBurstReserveCapacity = 512;
std::unique_ptr<SpanData> acquire_burst_span_data();
void recycle_burst_span_data(std::unique_ptr<SpanData> span) noexcept;

}  // namespace tdemo::telemetry
