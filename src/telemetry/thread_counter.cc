#include "telemetry/thread_counter.h"

namespace tdemo::telemetry {
namespace {

std::atomic<std::uint64_t> next_counter_id{1};  // 0 marks an empty cache entry

// Direct-mapped by counter id: counters made one after another (a provider's three, the four
// providers of `all`) land in different entries. Plain data: no thread-exit destructor.
constexpr std::size_t kCacheEntries = 64;
struct CellCache {
  std::uint64_t id[kCacheEntries];
  void* cell[kCacheEntries];
};
thread_local CellCache cache{};

}  // namespace

ThreadCounter::ThreadCounter() : id_(next_counter_id.fetch_add(1, std::memory_order_relaxed)) {}

void ThreadCounter::add(std::uint64_t amount) noexcept {
  const std::size_t entry = id_ % kCacheEntries;
  Cell* cell = cache.id[entry] == id_ ? static_cast<Cell*>(cache.cell[entry]) : nullptr;
  if (cell == nullptr) {
    cell = &cell_of_this_thread();
    cache.id[entry] = id_;
    cache.cell[entry] = cell;
  }
  // Only this thread writes this cell: a plain read and write, made atomic for the readers.
  cell->value.store(cell->value.load(std::memory_order_relaxed) + amount,
                    std::memory_order_relaxed);
}

ThreadCounter::Cell& ThreadCounter::cell_of_this_thread() noexcept {
  const std::thread::id self = std::this_thread::get_id();
  std::lock_guard lock(mutex_);
  // A thread id can belong to a thread that has exited; its cell then passes to the new one.
  for (Cell& cell : cells_) {
    if (cell.owner == self) return cell;
  }
  return cells_.emplace_back(self);
}

std::uint64_t ThreadCounter::load() const noexcept {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (const Cell& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
  return total;
}

}  // namespace tdemo::telemetry
