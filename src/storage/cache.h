// A key/value cache in front of lookups (cache-aside). The in-process LRU is the default;
// Redis (issue 7) adds another implementation of the same interface.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "storage/result.h"
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
  // True when a lookup leaves the process (a server such as Redis): its spans are CLIENT spans;
  // an in-process cache's are INTERNAL (OpenTelemetry span kinds).
  virtual bool remote() const noexcept { return false; }

  // The same operations with failures as values. A cache that can fail (Redis unreachable)
  // overrides these so that TracedCache marks its span ERROR; the defaults never fail.
  virtual Result<std::optional<std::string>> lookup(std::string_view key) { return get(key); }
  virtual Status store(std::string_view key, std::string value,
                       std::chrono::milliseconds ttl = {}) {
    set(key, std::move(value), ttl);
    return ok_status();
  }
  virtual Status remove(std::string_view key) {
    erase(key);
    return ok_status();
  }
  // Attributes for the spans of `operation` ("get", "set", "delete") that add to or replace
  // TracedCache's (e.g. db.operation.name GET, server.address, server.port).
  virtual telemetry::Attributes span_attributes(std::string_view /*operation*/) const { return {}; }
};

// Wraps a Cache with `cache.get` / `cache.set` spans (cache.hit true/false, db.system.name,
// cache.key, plus the cache's span_attributes); a failed call (lookup/store/remove returned an
// Error) ends its span with status ERROR and error.type, and get() then reports a miss. Does not own the cache; it must outlive this. Thread-safe.
// `redact_key`, when given, rewrites the key for the cache.key attribute (keys built from request
// input may hold secrets a client sent; the users service masks card-number-like digit runs).
class TracedCache {
 public:
  using KeyRedactor = std::string (*)(std::string_view key);
  TracedCache(Cache& cache, telemetry::Tracer tracer, KeyRedactor redact_key = nullptr)
      : cache_(cache), tracer_(std::move(tracer)), redact_key_(redact_key) {}
  std::optional<std::string> get(const telemetry::Context& parent, std::string_view key);
  void set(const telemetry::Context& parent, std::string_view key, std::string value,
           std::chrono::milliseconds ttl = {});
  void erase(const telemetry::Context& parent, std::string_view key);

 private:
  telemetry::Span start(const telemetry::Context& parent, const char* operation,
                        std::string_view key) const;

  Cache& cache_;
  telemetry::Tracer tracer_;
  KeyRedactor redact_key_;
};

}  // namespace tdemo::storage
