#include "loadgen/request_tracer.h"

#include <array>
#include <chrono>
#include <random>
#include <thread>

namespace tdemo::loadgen {
namespace {

void write_hex(const std::uint8_t* bytes, std::size_t n, char* out) noexcept {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
}

// splitmix64, seeded per thread from the OS and the thread id.
std::uint64_t next_random() noexcept {
  thread_local std::uint64_t state = [] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device() ^
           static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) ^
           static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }();
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void fill_nonzero(std::uint8_t* out, std::size_t n) noexcept {
  bool any = false;
  while (!any) {
    for (std::size_t i = 0; i < n; i += 8) {
      const std::uint64_t r = next_random();
      for (std::size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
    }
    for (std::size_t i = 0; i < n; ++i) any = any || out[i] != 0;
  }
}

}  // namespace

double random_unit() noexcept { return static_cast<double>(next_random() >> 11) * 0x1.0p-53; }

void write_traceparent(const std::uint8_t* trace_id, const std::uint8_t* span_id, bool sampled,
                       char* slot) noexcept {
  slot[0] = '0';
  slot[1] = '0';
  slot[2] = '-';
  write_hex(trace_id, 16, slot + 3);
  slot[35] = '-';
  write_hex(span_id, 8, slot + 36);
  slot[52] = '-';
  slot[53] = '0';
  slot[54] = sampled ? '1' : '0';
}

std::unique_ptr<TracedRequest> UnsampledTraceparents::begin(std::string_view, std::string_view,
                                                            std::string_view, char* slot,
                                                            char* trace_id_hex) {
  std::array<std::uint8_t, 16> trace{};
  std::array<std::uint8_t, 8> span{};
  fill_nonzero(trace.data(), trace.size());
  fill_nonzero(span.data(), span.size());
  write_traceparent(trace.data(), span.data(), false, slot);
  if (trace_id_hex != nullptr) write_hex(trace.data(), trace.size(), trace_id_hex);
  return nullptr;
}

}  // namespace tdemo::loadgen
