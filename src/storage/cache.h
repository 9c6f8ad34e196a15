// A key/value cache in front of lookups (cache-aside). The in-process LRU is the default;
// Redis (issue 7) adds another implementation of the same interface.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/context.h"
#include "telemetry/tracer.h"

namespace tdemo::storage {

// Implementations are thread-safe.
class Cache {
 public:
  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  virtual ~Cache() = default;

  virtual std::optional<std::string> get(std::string_view key) = 0;
  // ttl <= 0 means the cache's default TTL.
  virtual void set(std::string_view key, std::string value, std::chrono::milliseconds ttl = {}) = 0;
  virtual void erase(std::string_view key) = 0;
  // db.system.name for the cache spans: "memory", "redis", ...
  virtual const char* system_name() const noexcept = 0;
};

// Wraps a Cache with `cache.get` / `cache.set` spans (cache.hit true/false, db.system.name,
// cache.key). Does not own the cache; it must outlive this. Thread-safe.
class TracedCache {
 public:
  TracedCache(Cache& cache, telemetry::Tracer tracer) : cache_(cache), tracer_(std::move(tracer)) {}
  std::optional<std::string> get(const telemetry::Context& parent, std::string_view key);
  void set(const telemetry::Context& parent, std::string_view key, std::string value,
           std::chrono::milliseconds ttl = {});
  void erase(const telemetry::Context& parent, std::string_view key);

 private:
  Cache& cache_;
  telemetry::Tracer tracer_;
};

}  // namespace tdemo::storage
