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

}  // namespace tdemo::telemetry
