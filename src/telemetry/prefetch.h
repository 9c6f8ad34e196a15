// Cache prefetches for spans about to be touched: a pooled span (and the buffers of its
// attributes) was last written or read on another core, so the first touch of each of its cache
// lines waits for memory. Asking for the lines a step ahead lets those waits overlap with the
// work on the span before it. Hints only: nothing here changes what a program computes.
//
// Every function here, and any function made only of calls to them, must be always_inline: GCC
// takes a prefetch for a function without side effects, so it deletes the call to a function
// that only prefetches before it would inline it (seen with GCC 12 at -O1 and -O2).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <variant>

#include "telemetry/attributes.h"

namespace tdemo::telemetry {

inline constexpr std::size_t kCacheLine = 64;

enum class PrefetchFor { kRead = 0, kWrite = 1 };

// At most this many lines per call: a long attribute list is not asked for whole.
inline constexpr std::size_t kMaxPrefetchLines = 16;

// Asks for the cache lines of [p, p + n) (the first kMaxPrefetchLines of them).
template <PrefetchFor intent = PrefetchFor::kRead>
[[gnu::always_inline]] inline void prefetch_bytes(const void* p, std::size_t n) noexcept {
  const auto* bytes = static_cast<const char*>(p);
  n = std::min(n, kMaxPrefetchLines * kCacheLine);
  for (std::size_t off = 0; off < n; off += kCacheLine) {
    __builtin_prefetch(bytes + off, static_cast<int>(intent), 3);
  }
}

template <PrefetchFor intent = PrefetchFor::kRead, class T>
[[gnu::always_inline]] inline void prefetch_object(const T* object) noexcept {
  prefetch_bytes<intent>(object, sizeof(T));
}

// The entries of `list` (not what they point to).
template <PrefetchFor intent = PrefetchFor::kRead>
[[gnu::always_inline]] inline void prefetch_entries(const Attributes& list) noexcept {
  prefetch_bytes<intent>(list.data(), list.size() * sizeof(KeyValue));
}

// The heap buffers of the keys and text values of `list`, whose entries should be in cache
// already (see prefetch_entries): a short string's bytes are inside its entry.
template <PrefetchFor intent = PrefetchFor::kRead>
[[gnu::always_inline]] inline void prefetch_texts(const Attributes& list) noexcept {
  for (const KeyValue& kv : list) {
    __builtin_prefetch(kv.key.data(), static_cast<int>(intent), 3);
    if (const auto* text = std::get_if<std::string>(&kv.value)) {
      __builtin_prefetch(text->data(), static_cast<int>(intent), 3);
    }
  }
}

}  // namespace tdemo::telemetry
