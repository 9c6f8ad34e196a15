// BoundedQueue: a fixed-capacity multi-producer multi-consumer queue of owned objects.
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
template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity)
      : capacity_(capacity < 2 ? 2 : capacity), slots_(new Slot[capacity_]) {
    for (std::size_t i = 0; i < capacity_; ++i) {
      slots_[i].sequence.store(i, std::memory_order_relaxed);
      slots_[i].item = nullptr;
    }
  }
  ~BoundedQueue() {  // deletes what is still queued
    while (try_pop()) {
    }
  }
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Takes ownership on success; on failure (queue full) `item` is left untouched. On success
  // `pushed_at`, when given, receives the push position the item took (0 for the first push).
  bool try_push(std::unique_ptr<T>& item, std::uint64_t* pushed_at = nullptr) noexcept {
    std::uint64_t position = enqueue_pos_.load(std::memory_order_relaxed);
    while (true) {
      Slot& slot = slots_[position % capacity_];
      const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
      const auto difference = static_cast<std::int64_t>(sequence - position);
      if (difference == 0) {
        if (enqueue_pos_.compare_exchange_weak(position, position + 1,
                                               std::memory_order_relaxed)) {
          slot.item = item.release();
          slot.sequence.store(position + 1, std::memory_order_release);
          if (pushed_at != nullptr) *pushed_at = position;
          return true;
        }
      } else if (difference < 0) {
        return false;  // full: the slot still holds an item from one lap ago
      } else {
        position = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Null when empty, or when the next slot was claimed but not yet published.
  std::unique_ptr<T> try_pop() noexcept {
    std::uint64_t position = dequeue_pos_.load(std::memory_order_relaxed);
    while (true) {
      Slot& slot = slots_[position % capacity_];
      const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
      const auto difference = static_cast<std::int64_t>(sequence - (position + 1));
      if (difference == 0) {
        if (dequeue_pos_.compare_exchange_weak(position, position + 1,
                                               std::memory_order_acq_rel)) {
          std::unique_ptr<T> item(slot.item);
          slot.item = nullptr;
          slot.sequence.store(position + capacity_, std::memory_order_release);
          return item;
        }
      } else if (difference < 0) {
        return nullptr;  // empty, or the next slot is claimed but not yet published
      } else {
        position = dequeue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Positions: how many pushes and pops have claimed a slot.
  std::uint64_t push_position() const noexcept {
    return enqueue_pos_.load(std::memory_order_acquire);
  }
  std::uint64_t pop_position() const noexcept {
    return dequeue_pos_.load(std::memory_order_acquire);
  }
  // Approximate under concurrency.
  std::size_t size() const noexcept {
    const std::uint64_t pushed = enqueue_pos_.load(std::memory_order_relaxed);
    const std::uint64_t popped = dequeue_pos_.load(std::memory_order_relaxed);
    return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
  }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  // Slots are packed four to a cache line: a consumer draining a burst (or a producer filling
  // one) touches a line per four items, and the hardware prefetcher follows. Producer and
  // consumer share a line only when they are within four slots of each other.
  struct Slot {
    std::atomic<std::uint64_t> sequence;
    T* item;
  };
  const std::size_t capacity_;
  const std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::uint64_t> enqueue_pos_{0};
  alignas(64) std::atomic<std::uint64_t> dequeue_pos_{0};
};

// The batch processor's queue of ended spans.
using BoundedSpanQueue = BoundedQueue<SpanData>;

}  // namespace tdemo::telemetry
