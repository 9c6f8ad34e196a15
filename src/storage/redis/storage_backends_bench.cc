// What the production backends cost per call, against servers started here:
//   user lookups from SQLite and PostgreSQL, cache GETs from the LRU and Redis, and a GET
//   while Redis is down (the circuit breaker refuses it without touching the network).
// Run: build/<preset>/bench/storage_backends_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <memory>

#include "storage/backend_selection.h"
#include "storage/redis/redis_cache.h"
#include "support/servers.h"

namespace tdemo::storage {
namespace {

void lookup_user(benchmark::State& state, std::string_view url) {
  SqliteRepositoryOptions options;
  options.pool.size = 1;
  auto users = make_user_repository(url, options, {});
  if (!users.ok()) {
    state.SkipWithError(users.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto user = users.value()->find({}, 1);
    benchmark::DoNotOptimize(user);
  }
}

void BM_SqliteFindUser(benchmark::State& state) { lookup_user(state, ""); }
BENCHMARK(BM_SqliteFindUser);

void BM_PostgresFindUser(benchmark::State& state) {
  if (!test::find_postgres_bin_dir()) return state.SkipWithError("no PostgreSQL binaries");
  test::PostgresServer server;
  lookup_user(state, server.url());
}
BENCHMARK(BM_PostgresFindUser)->UseRealTime();

void BM_LruCacheGetHit(benchmark::State& state) {
  auto cache = make_cache("", {});
  cache.value()->set("user:1", std::string(120, 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(cache.value()->get("user:1"));
}
BENCHMARK(BM_LruCacheGetHit);

void BM_RedisCacheGetHit(benchmark::State& state) {
  if (!test::find_redis_server()) return state.SkipWithError("no redis-server");
  test::RedisServer server;
  auto cache = make_cache(server.url(), {});
  cache.value()->set("user:1", std::string(120, 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(cache.value()->get("user:1"));
}
BENCHMARK(BM_RedisCacheGetHit)->UseRealTime();

void BM_RedisCacheGetWhileRedisIsDown(benchmark::State& state) {
  if (!test::find_redis_server()) return state.SkipWithError("no redis-server");
  test::RedisServer server;
  RedisCacheOptions options;
  options.url = server.url();
  auto cache = RedisCache::create(options);
  server.kill();
  (void)cache.value()->lookup("user:1");  // notices; the circuit opens
  for (auto _ : state) benchmark::DoNotOptimize(cache.value()->get("user:1"));
  state.counters["short_circuited"] = static_cast<double>(cache.value()->stats().short_circuited);
  state.counters["connects"] = static_cast<double>(cache.value()->stats().connects);
}
BENCHMARK(BM_RedisCacheGetWhileRedisIsDown)->UseRealTime();

}  // namespace
}  // namespace tdemo::storage
BENCHMARK_MAIN();
