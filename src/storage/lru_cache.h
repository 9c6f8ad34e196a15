// The in-process LRU cache with a TTL and a bounded number of entries.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "storage/cache.h"

namespace tdemo::storage {

struct LruCacheOptions {
  std::size_t max_entries = 10000;                // least recently used evicted beyond this
  std::chrono::milliseconds default_ttl{60000};   // entries expire after this
};

struct LruCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;  // removed for room (not for expiry)
  std::size_t size = 0;
};

// Thread-safe (one mutex; the critical sections are a hash lookup and a list splice).
class LruCache final : public Cache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit LruCache(LruCacheOptions options = {}, Clock clock = {});

  std::optional<std::string> get(std::string_view key) override;
  void set(std::string_view key, std::string value, std::chrono::milliseconds ttl = {}) override;
  void erase(std::string_view key) override;
  const char* system_name() const noexcept override { return "memory"; }
  LruCacheStats stats() const;

 private:
  struct Entry {
    std::string key;
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  std::chrono::steady_clock::time_point now() const;

  LruCacheOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  LruCacheStats stats_;
};

}  // namespace tdemo::storage
