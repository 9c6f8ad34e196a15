// BoundedSpanQueue: a fixed-capacity multi-producer single-consumer queue of spans.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "telemetry/span_data.h"

namespace tdemo::telemetry {

// Dmitry Vyukov's bounded MPMC queue: each slot carries a sequence number, so producers and
// consumers claim a slot with one compare-and-swap and never take a lock.
// The capacity is exact (at least 2, which the algorithm needs).
//
// Thread safety: try_push and try_pop from any number of threads.
class BoundedSpanQueue {
 public:
  explicit BoundedSpanQueue(std::size_t capacity);
  ~BoundedSpanQueue();  // deletes spans still queued
  BoundedSpanQueue(const BoundedSpanQueue&) = delete;
  BoundedSpanQueue& operator=(const BoundedSpanQueue&) = delete;

  // Takes ownership on success; on failure (queue full) `span` is left untouched. On success
  // `position`, when given, receives the push position the span took (0 for the first push).
  bool try_push(std::unique_ptr<SpanData>& span, std::uint64_t* position = nullptr) noexcept;
  // Null when empty, or when the next slot was claimed but not yet published.
  std::unique_ptr<SpanData> try_pop() noexcept;

  // Positions: how many pushes and pops have claimed a slot.
  std::uint64_t push_position() const noexcept {
    return enqueue_pos_.load(std::memory_order_acquire);
  }
  std::uint64_t pop_position() const noexcept {
    return dequeue_pos_.load(std::memory_order_acquire);
  }
  // Approximate under concurrency.
  std::size_t size() const noexcept;
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  // Slots are packed four to a cache line: a consumer draining a burst (or a producer filling
  // one) touches a line per four spans, and the hardware prefetcher follows. Producer and
  // consumer share a line only when they are within four slots of each other.
  struct Slot {
    std::atomic<std::uint64_t> sequence;
    SpanData* span;
  };
  const std::size_t capacity_;
  const std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::uint64_t> enqueue_pos_{0};
  alignas(64) std::atomic<std::uint64_t> dequeue_pos_{0};
};

}  // namespace tdemo::telemetry
