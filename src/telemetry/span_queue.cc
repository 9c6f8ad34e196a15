#include "telemetry/span_queue.h"

namespace tdemo::telemetry {

BoundedSpanQueue::BoundedSpanQueue(std::size_t capacity)
    : capacity_(capacity < 2 ? 2 : capacity), slots_(new Slot[capacity_]) {
  for (std::size_t i = 0; i < capacity_; ++i) {
    slots_[i].sequence.store(i, std::memory_order_relaxed);
    slots_[i].span = nullptr;
  }
}

BoundedSpanQueue::~BoundedSpanQueue() {
  while (try_pop()) {
  }
}

bool BoundedSpanQueue::try_push(std::unique_ptr<SpanData>& span,
                                std::uint64_t* pushed_at) noexcept {
  std::uint64_t position = enqueue_pos_.load(std::memory_order_relaxed);
  while (true) {
    Slot& slot = slots_[position % capacity_];
    const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
    const auto difference = static_cast<std::int64_t>(sequence - position);
    if (difference == 0) {
      if (enqueue_pos_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
        slot.span = span.release();
        slot.sequence.store(position + 1, std::memory_order_release);
        if (pushed_at != nullptr) *pushed_at = position;
        return true;
      }
    } else if (difference < 0) {
      return false;  // full: the slot still holds a span from one lap ago
    } else {
      position = enqueue_pos_.load(std::memory_order_relaxed);
    }
  }
}

std::unique_ptr<SpanData> BoundedSpanQueue::try_pop() noexcept {
  std::uint64_t position = dequeue_pos_.load(std::memory_order_relaxed);
  while (true) {
    Slot& slot = slots_[position % capacity_];
    const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
    const auto difference = static_cast<std::int64_t>(sequence - (position + 1));
    if (difference == 0) {
      if (dequeue_pos_.compare_exchange_weak(position, position + 1, std::memory_order_acq_rel)) {
        std::unique_ptr<SpanData> span(slot.span);
        slot.span = nullptr;
        slot.sequence.store(position + capacity_, std::memory_order_release);
        return span;
      }
    } else if (difference < 0) {
      return nullptr;  // empty, or the next slot is claimed but not yet published
    } else {
      position = dequeue_pos_.load(std::memory_order_relaxed);
    }
  }
}

std::size_t BoundedSpanQueue::size() const noexcept {
  const std::uint64_t pushed = enqueue_pos_.load(std::memory_order_relaxed);
  const std::uint64_t popped = dequeue_pos_.load(std::memory_order_relaxed);
  return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
}

}  // namespace tdemo::telemetry
