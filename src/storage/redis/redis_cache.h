// The Redis implementation of Cache (issue 7), selected by REDIS_URL=redis://host:port/db:
// cache-aside for user lookups with a TTL (SET key value PX ttl), invalidation by erase (DEL).
//
// Redis being slow or down must never hurt a request: connect and command timeouts are short
// (50 ms by default), failures are values (lookup/store/remove return the Error, so the traced
// wrapper marks its span ERROR; get/set/erase degrade to a miss / no-op), and a circuit breaker
// refuses calls without touching the network while Redis is known to be down, probing again
// after a backoff (100 ms doubling to 5 s). Broken connections are dropped and reopened.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/cache.h"
#include "storage/redis/circuit_breaker.h"
#include "storage/redis/redis_connection.h"
#include "storage/result.h"

namespace tdemo::storage {

struct RedisCacheOptions {
  std::string url = "redis://localhost:6379/0";
  std::chrono::milliseconds connect_timeout{50};
  std::chrono::milliseconds command_timeout{50};
  std::chrono::milliseconds default_ttl{60000};  // when set() is given no TTL
  std::size_t pool_size = 8;                     // connections kept; callers beyond wait
  std::string key_prefix = "tdemo:";             // prepended to every key
  CircuitBreakerOptions breaker;
};

struct RedisCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t errors = 0;           // calls that reached Redis and failed
  std::uint64_t short_circuited = 0;  // calls refused while the circuit was open
  std::uint64_t connects = 0;         // connections opened (reconnects included)
};

// redis://[[user]:password@]host[:port][/db]; kInvalid with a reason otherwise.
Result<redis::Target> parse_redis_url(std::string_view url);

// Thread-safe: a bounded pool of connections, each used by one caller at a time.
class RedisCache final : public Cache {
 public:
  // Validates the URL (kInvalid) and tries one connection; Redis being down at start is not
  // an error (the service starts and the cache recovers when Redis comes up).
  static Result<std::unique_ptr<RedisCache>> create(RedisCacheOptions options);

  std::optional<std::string> get(std::string_view key) override;
  void set(std::string_view key, std::string value, std::chrono::milliseconds ttl = {}) override;
  void erase(std::string_view key) override;
  const char* system_name() const noexcept override { return "redis"; }
  bool remote() const noexcept override { return true; }

  // The same, with failures as values (the traced wrapper marks its span ERROR with them).
  Result<std::optional<std::string>> lookup(std::string_view key) override;
  Status store(std::string_view key, std::string value, std::chrono::milliseconds ttl = {}) override;
  Status remove(std::string_view key) override;
  // db.operation.name (GET/SET/DEL), server.address, server.port, db.namespace (the db index).
  telemetry::Attributes span_attributes(std::string_view operation) const override;

  RedisCacheStats stats() const;
  const redis::Target& target() const noexcept { return connect_.target; }

 private:
  explicit RedisCache(RedisCacheOptions options, redis::ConnectOptions connect);
  // Runs one command on a pooled connection, through the circuit breaker.
  Result<redis::Reply> run(const std::vector<std::string_view>& arguments);
  Result<std::unique_ptr<redis::Connection>> acquire();
  void release(std::unique_ptr<redis::Connection> connection);
  // Closes `broken` (taken from the pool) and every idle connection.
  void drop_idle_and(std::unique_ptr<redis::Connection> broken);
  std::string key(std::string_view key) const;

  RedisCacheOptions options_;
  redis::ConnectOptions connect_;
  CircuitBreaker breaker_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<redis::Connection>> idle_;
  std::size_t opened_ = 0;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, errors_{0}, short_circuited_{0}, connects_{0};
};

}  // namespace tdemo::storage
