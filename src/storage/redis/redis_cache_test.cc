// The Redis cache against a real redis-server this test starts (and kills, and restarts).
#include "storage/redis/redis_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "storage/test_tracing.h"
#include "support/servers.h"

namespace tdemo::storage {
namespace {

using std::chrono::milliseconds;
using testing::RecordingTracer;
using testing::string_attribute;

std::int64_t int_attribute(const telemetry::SpanData& span, const std::string& key) {
  const auto* value = telemetry::find_attribute<std::int64_t>(span.attributes, key);
  return value != nullptr ? *value : -1;
}

std::optional<bool> bool_attribute(const telemetry::SpanData& span, const std::string& key) {
  const auto* value = telemetry::find_attribute<bool>(span.attributes, key);
  return value != nullptr ? std::optional<bool>(*value) : std::nullopt;
}

// Polls `done` every 10 ms for at most 10 s (a bound against hangs, not a timing assertion).
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

class RedisCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::find_redis_server()) GTEST_SKIP() << "redis-server not found: Redis cases skipped";
    server_ = std::make_unique<test::RedisServer>();
  }

  std::unique_ptr<RedisCache> make_cache(RedisCacheOptions options = {}) {
    options.url = server_->url();
    options.breaker.initial_backoff = milliseconds(20);
    options.breaker.max_backoff = milliseconds(100);
    auto cache = RedisCache::create(std::move(options));
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return cache.ok() ? std::move(cache).value() : nullptr;
  }

  std::unique_ptr<test::RedisServer> server_;
};

TEST_F(RedisCacheTest, MissThenHitWithRedisSpans) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  RecordingTracer tracing;
  TracedCache traced(*cache, tracing.tracer());
  EXPECT_FALSE(traced.get({}, "user:1").has_value());
  traced.set({}, "user:1", R"({"id":1,"name":"Alice"})");
  EXPECT_EQ(traced.get({}, "user:1"), R"({"id":1,"name":"Alice"})");

  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].name, "cache.get");
  EXPECT_EQ(bool_attribute(spans[0], "cache.hit"), false);
  EXPECT_EQ(spans[1].name, "cache.set");
  EXPECT_EQ(bool_attribute(spans[2], "cache.hit"), true);
  const char* operations[] = {"GET", "SET", "GET"};
  for (std::size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(string_attribute(spans[i], "db.system.name"), "redis");
    EXPECT_EQ(string_attribute(spans[i], "db.operation.name"), operations[i]);
    EXPECT_EQ(string_attribute(spans[i], "server.address"), "127.0.0.1");
    EXPECT_EQ(int_attribute(spans[i], "server.port"), server_->port());
    EXPECT_EQ(spans[i].status_code, telemetry::StatusCode::kUnset);
    EXPECT_EQ(spans[i].kind, telemetry::SpanKind::kClient);  // a call to the Redis server
  }
  EXPECT_EQ(cache->stats().hits, 1u);
  EXPECT_EQ(cache->stats().misses, 1u);
}

TEST_F(RedisCacheTest, EntriesExpireAfterTheirTtlOrTheDefault) {
  RedisCacheOptions options;
  options.default_ttl = milliseconds(50);
  auto cache = make_cache(options);
  ASSERT_TRUE(cache);
  ASSERT_TRUE(cache->store("short", "v", milliseconds(30)).ok());
  ASSERT_TRUE(cache->store("default", "v").ok());
  ASSERT_TRUE(cache->store("long", "v", milliseconds(600000)).ok());
  EXPECT_TRUE(eventually([&] { return !cache->get("short").has_value(); }));
  EXPECT_TRUE(eventually([&] { return !cache->get("default").has_value(); }));
  EXPECT_EQ(cache->get("long"), "v");
}

TEST_F(RedisCacheTest, EraseInvalidatesAndValuesAreBinarySafe) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  const std::string value("a b\0c\r\n", 7);
  cache->set("user:2", value);
  EXPECT_EQ(cache->get("user:2"), value);
  cache->erase("user:2");
  EXPECT_FALSE(cache->get("user:2").has_value());
  RedisCacheOptions prefixed;
  prefixed.key_prefix = "other:";
  auto other = make_cache(prefixed);
  ASSERT_TRUE(other);
  cache->set("k", "mine");
  EXPECT_FALSE(other->get("k").has_value()) << "prefixes keep deployments apart";
}

TEST_F(RedisCacheTest, RedisKilledMeansErrorSpansNoHangAndRecoveryAfterRestart) {
  auto cache = make_cache();
  ASSERT_TRUE(cache);
  RecordingTracer tracing;
  TracedCache traced(*cache, tracing.tracer());
  traced.set({}, "user:3", "cached");
  ASSERT_EQ(traced.get({}, "user:3"), "cached");

  server_->kill();
  EXPECT_FALSE(traced.get({}, "user:3").has_value());  // a miss: the caller uses the database
  traced.set({}, "user:3", "again");
  traced.erase({}, "user:3");
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 5u);
  for (std::size_t i = 2; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].status_code, telemetry::StatusCode::kError) << spans[i].name;
    EXPECT_EQ(string_attribute(spans[i], "error.type"), "busy");
    EXPECT_FALSE(spans[i].status_message.empty());
  }
  EXPECT_EQ(bool_attribute(spans[2], "cache.hit"), false);

  // While down, calls are refused without touching the network.
  const auto connects_before = cache->stats().connects;
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(cache->lookup("user:3").ok());
  EXPECT_GE(cache->stats().short_circuited, 90u);
  EXPECT_LE(cache->stats().connects - connects_before, 10u);

  server_->start();  // same port, empty (no persistence)
  EXPECT_TRUE(eventually([&] { return cache->store("user:3", "back").ok(); }));
  EXPECT_EQ(cache->get("user:3"), "back");
  EXPECT_EQ(traced.get({}, "user:3"), "back");
  EXPECT_EQ(tracing.spans->spans().back().status_code, telemetry::StatusCode::kUnset);
}

TEST_F(RedisCacheTest, DownAtStartIsNotFatalAndRecovers) {
  const std::string url = server_->url();
  server_->kill();
  RedisCacheOptions options;
  options.url = url;
  options.breaker.initial_backoff = milliseconds(20);
  auto cache = RedisCache::create(options);
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  auto missing = cache.value()->lookup("k");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kBusy);
  server_->start();
  EXPECT_TRUE(eventually([&] { return cache.value()->lookup("k").ok(); }));
}

TEST_F(RedisCacheTest, ConcurrentCallersShareTheBoundedPool) {
  RedisCacheOptions options;
  options.pool_size = 2;
  options.command_timeout = milliseconds(1000);  // the shared machine may be slow; no hang
  auto cache = make_cache(options);
  ASSERT_TRUE(cache);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string key = "k" + std::to_string(t) + ":" + std::to_string(i);
        if (!cache->store(key, key).ok()) ++failures;
        auto value = cache->lookup(key);
        if (!value.ok() || value.value() != key) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(cache->stats().connects, 2u);
}

}  // namespace
}  // namespace tdemo::storage
