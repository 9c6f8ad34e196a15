#include "storage/backend_selection.h"

#include "storage/postgres/postgres_repositories.h"
#include "storage/redis/redis_cache.h"

namespace tdemo::storage {
namespace {

PostgresRepositoryOptions postgres_options(std::string_view url,
                                           const SqliteRepositoryOptions& sqlite) {
  PostgresRepositoryOptions options;
  options.url = std::string(url);
  options.pool_size = sqlite.pool.size;
  options.acquire_timeout = sqlite.pool.acquire_timeout;
  options.slow_query = sqlite.slow_query;
  return options;
}

// The error names the variable, so a misconfigured service says what to fix.
Error with_variable(Error error, const char* variable) {
  if (error.message.find(variable) == std::string::npos) {
    error.message = std::string(variable) + ": " + error.message;
  }
  return error;
}

template <class Repository, class Sqlite, class Postgres>
Result<std::unique_ptr<Repository>> make_repository(std::string_view url,
                                                    const SqliteRepositoryOptions& sqlite,
                                                    telemetry::Tracer tracer, Sqlite make_sqlite,
                                                    Postgres make_postgres) {
  auto backend = database_backend_for(url);
  if (!backend.ok()) return backend.error();
  auto repository = backend.value() == DatabaseBackend::kSqlite
                        ? make_sqlite(sqlite, std::move(tracer))
                        : make_postgres(postgres_options(url, sqlite), std::move(tracer));
  if (!repository.ok()) return with_variable(repository.error(), "DATABASE_URL");
  return repository;
}

}  // namespace

Result<DatabaseBackend> database_backend_for(std::string_view url) {
  if (url.empty()) return DatabaseBackend::kSqlite;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return DatabaseBackend::kPostgres;
  }
  return Error{ErrorCode::kInvalid,
               "DATABASE_URL: unsupported '" + std::string(url.substr(0, url.find(':'))) +
                   "' (use postgresql://user:password@host:5432/database, or leave it unset "
                   "for SQLite)"};
}

Result<CacheBackend> cache_backend_for(std::string_view url) {
  if (url.empty()) return CacheBackend::kMemory;
  if (url.starts_with("redis://")) return CacheBackend::kRedis;
  return Error{ErrorCode::kInvalid,
               "REDIS_URL: unsupported '" + std::string(url.substr(0, url.find(':'))) +
                   "' (use redis://host:6379/0, or leave it unset for the in-process cache)"};
}

Result<std::unique_ptr<UserRepository>> make_user_repository(
    std::string_view url, const SqliteRepositoryOptions& sqlite, telemetry::Tracer tracer) {
  return make_repository<UserRepository>(url, sqlite, std::move(tracer),
                                         make_sqlite_user_repository,
                                         make_postgres_user_repository);
}

Result<std::unique_ptr<OrderRepository>> make_order_repository(
    std::string_view url, const SqliteRepositoryOptions& sqlite, telemetry::Tracer tracer) {
  return make_repository<OrderRepository>(url, sqlite, std::move(tracer),
                                          make_sqlite_order_repository,
                                          make_postgres_order_repository);
}

Result<std::unique_ptr<PaymentRepository>> make_payment_repository(
    std::string_view url, const SqliteRepositoryOptions& sqlite, telemetry::Tracer tracer) {
  return make_repository<PaymentRepository>(url, sqlite, std::move(tracer),
                                            make_sqlite_payment_repository,
                                            make_postgres_payment_repository);
}

Result<std::unique_ptr<Cache>> make_cache(std::string_view url, const LruCacheOptions& lru) {
  auto backend = cache_backend_for(url);
  if (!backend.ok()) return backend.error();
  if (backend.value() == CacheBackend::kMemory) {
    return std::unique_ptr<Cache>(std::make_unique<LruCache>(lru));
  }
  RedisCacheOptions options;
  options.url = std::string(url);
  options.default_ttl = lru.default_ttl;
  auto cache = RedisCache::create(std::move(options));
  if (!cache.ok()) return with_variable(cache.error(), "REDIS_URL");
  return std::unique_ptr<Cache>(std::move(cache).value());
}

CacheCounters cache_counters(const Cache& cache) {
  CacheCounters counters;
  if (const auto* lru = dynamic_cast<const LruCache*>(&cache)) {
    const auto stats = lru->stats();
    counters.hits = stats.hits;
    counters.misses = stats.misses;
    counters.entries = stats.size;
    counters.evictions = stats.evictions;
  } else if (const auto* redis = dynamic_cast<const RedisCache*>(&cache)) {
    const auto stats = redis->stats();
    counters.hits = stats.hits;
    counters.misses = stats.misses;
    counters.errors = stats.errors + stats.short_circuited;
  }
  return counters;
}

}  // namespace tdemo::storage
