// Which storage backends a service uses, chosen from configuration (issue 7):
//   DATABASE_URL  unset/""        -> SQLite (the service's own file under --data-dir)
//                 postgresql://…  -> PostgreSQL (postgres:// too)
//   REDIS_URL     unset/""        -> the in-process LRU cache
//                 redis://…       -> Redis
// The services call these once at start with their config's strings and options; a bad URL
// is a clear kInvalid error (the message names the variable), an unreachable PostgreSQL is
// kBusy. An unreachable Redis is not an error: the cache degrades to misses and recovers.
//
// Implemented in target td_storage_backends (src/storage/redis/CMakeLists.txt).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/cache.h"
#include "storage/lru_cache.h"
#include "storage/order_repository.h"
#include "storage/payment_repository.h"
#include "storage/repository_options.h"
#include "storage/result.h"
#include "storage/user_repository.h"
#include "telemetry/tracer.h"

namespace tdemo::storage {

enum class DatabaseBackend { kSqlite, kPostgres };
enum class CacheBackend { kMemory, kRedis };

// kInvalid for a URL that names neither backend.
Result<DatabaseBackend> database_backend_for(std::string_view database_url);
Result<CacheBackend> cache_backend_for(std::string_view redis_url);

// `sqlite` is used as it is for SQLite; for PostgreSQL its pool size, acquire timeout and
// slow-query knob carry over (the same knobs for both backends).
Result<std::unique_ptr<UserRepository>> make_user_repository(
    std::string_view database_url, const SqliteRepositoryOptions& sqlite, telemetry::Tracer tracer);
Result<std::unique_ptr<OrderRepository>> make_order_repository(
    std::string_view database_url, const SqliteRepositoryOptions& sqlite, telemetry::Tracer tracer);
Result<std::unique_ptr<PaymentRepository>> make_payment_repository(
    std::string_view database_url, const SqliteRepositoryOptions& sqlite, telemetry::Tracer tracer);

// `lru` configures the in-process cache; for Redis its default TTL carries over.
Result<std::unique_ptr<Cache>> make_cache(std::string_view redis_url, const LruCacheOptions& lru);

// A cache's counters for /metrics, whichever backend make_cache chose.
struct CacheCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t errors = 0;    // Redis: calls that failed or were refused (circuit open)
  std::uint64_t entries = 0;   // LRU: entries held (Redis: 0, not counted)
  std::uint64_t evictions = 0; // LRU: entries evicted for room
};
CacheCounters cache_counters(const Cache& cache);

}  // namespace tdemo::storage
