// A process-wide, bounded cache of SpanData objects, so the span hot path reuses memory
// (vectors keep their capacity) instead of allocating on one thread and freeing on another.
#pragma once

#include <cstddef>
#include <memory>

#include "telemetry/span_data.h"

namespace tdemo::telemetry {

inline constexpr std::size_t kSpanDataPoolCapacity = 1024;

// A SpanData equal to a default-constructed one, recycled when the pool has one.
// Thread-safe and lock-free.
std::unique_ptr<SpanData> acquire_span_data();

// Gives a finished span back (null is ignored). Drops its resource and scope references at
// once; when the pool is full the span is deleted. Thread-safe and lock-free.
void recycle_span_data(std::unique_ptr<SpanData> span) noexcept;

}  // namespace tdemo::telemetry
