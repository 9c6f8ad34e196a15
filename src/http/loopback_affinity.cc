#include "http/loopback_affinity.h"

#include <array>
#include <atomic>

namespace tdemo::http::loopback_affinity {

namespace {
// thread + 1 per local port; 0: nothing recorded. Zero-initialized static storage.
std::array<std::atomic<std::uint8_t>, 65536> g_threads;
constexpr int kMaxThread = 126;
}  // namespace

void note(std::uint16_t port, int thread) noexcept {
  if (thread < 0 || thread > kMaxThread) return;
  g_threads[port].store(static_cast<std::uint8_t>(thread + 1), std::memory_order_relaxed);
}

void forget(std::uint16_t port, int thread) noexcept {
  if (thread < 0 || thread > kMaxThread) return;
  auto expected = static_cast<std::uint8_t>(thread + 1);
  g_threads[port].compare_exchange_strong(expected, 0, std::memory_order_relaxed);
}

std::optional<int> thread_of(std::uint16_t port) noexcept {
  const std::uint8_t value = g_threads[port].load(std::memory_order_relaxed);
  if (value == 0) return std::nullopt;
  return value - 1;
}

}  // namespace tdemo::http::loopback_affinity
