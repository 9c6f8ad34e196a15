#include "storage/lru_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "storage/test_tracing.h"

namespace tdemo::storage {
namespace {

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  LruCache::Clock fn() { return [this] { return now; }; }
};

TEST(LruCacheTest, GetSetAndMiss) {
  LruCache cache;
  EXPECT_FALSE(cache.get("a"));
  cache.set("a", "1");
  EXPECT_EQ(cache.get("a"), "1");
  cache.set("a", "2");
  EXPECT_EQ(cache.get("a"), "2");
  cache.erase("a");
  EXPECT_FALSE(cache.get("a"));
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 2u);
}

TEST(LruCacheTest, EvictsTheLeastRecentlyUsed) {
  LruCache cache({.max_entries = 2, .default_ttl = std::chrono::seconds(60)});
  cache.set("a", "1");
  cache.set("b", "2");
  ASSERT_TRUE(cache.get("a"));  // b is now least recently used
  cache.set("c", "3");
  EXPECT_TRUE(cache.get("a"));
  EXPECT_FALSE(cache.get("b"));
  EXPECT_TRUE(cache.get("c"));
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().size, 2u);
}

TEST(LruCacheTest, EntriesExpireAfterTheirTtl) {
  FakeClock clock;
  LruCache cache({.max_entries = 10, .default_ttl = std::chrono::milliseconds(100)}, clock.fn());
  cache.set("a", "1");
  cache.set("b", "2", std::chrono::milliseconds(1000));
  clock.now += std::chrono::milliseconds(99);
  EXPECT_TRUE(cache.get("a"));
  clock.now += std::chrono::milliseconds(1);
  EXPECT_FALSE(cache.get("a"));
  EXPECT_TRUE(cache.get("b"));
  clock.now += std::chrono::milliseconds(1000);
  EXPECT_FALSE(cache.get("b"));
  EXPECT_EQ(cache.stats().size, 0u);
}

TEST(LruCacheTest, ThreadSafeUnderConcurrentUse) {
  LruCache cache({.max_entries = 64, .default_ttl = std::chrono::seconds(60)});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string((i * 7 + t) % 100);
        cache.set(key, key);
        if (auto v = cache.get(key)) {
          EXPECT_EQ(*v, key);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.stats().size, 64u);
}

TEST(TracedCacheTest, SpansSayHitOrMiss) {
  testing::RecordingTracer tracing;
  LruCache cache;
  TracedCache traced(cache, tracing.tracer());
  EXPECT_FALSE(traced.get({}, "user:1"));
  traced.set({}, "user:1", "{}");
  EXPECT_TRUE(traced.get({}, "user:1"));
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].name, "cache.get");
  EXPECT_EQ(spans[1].name, "cache.set");
  EXPECT_EQ(spans[2].name, "cache.get");
  auto hit = [](const telemetry::SpanData& span) {
    for (const auto& kv : span.attributes) {
      if (kv.key == "cache.hit") return std::get<bool>(kv.value) ? 1 : 0;
    }
    return -1;
  };
  EXPECT_EQ(hit(spans[0]), 0);
  EXPECT_EQ(hit(spans[2]), 1);
  EXPECT_EQ(testing::string_attribute(spans[0], "db.system.name"), "memory");
  // An in-process cache makes no remote call: INTERNAL spans (Redis's are CLIENT).
  for (const auto& span : spans) EXPECT_EQ(span.kind, telemetry::SpanKind::kInternal) << span.name;
}

// The span shows the key as the redactor rewrites it; the cache itself uses the real key.
TEST(TracedCacheTest, KeysAreRedactedInSpansOnly) {
  testing::RecordingTracer tracing;
  LruCache cache;
  TracedCache traced(cache, tracing.tracer(), [](std::string_view key) {
    return std::string(key.substr(0, key.find(':') + 1)) + "<hidden>";
  });
  traced.set({}, "user:secret", "{}");
  EXPECT_TRUE(traced.get({}, "user:secret"));
  EXPECT_FALSE(traced.get({}, "user:<hidden>"));
  auto spans = tracing.spans->spans();
  ASSERT_EQ(spans.size(), 3u);
  for (const auto& span : spans) {
    EXPECT_EQ(testing::string_attribute(span, "cache.key"), "user:<hidden>") << span.name;
  }
}

// When no span can record (a shut-down provider, as OTEL_SDK_DISABLED leaves it), the key is
// not redacted nor the attributes built, and the parent's context still goes on.
TEST(TracedCacheTest, NothingIsBuiltForSpansThatCannotRecord) {
  static int redactions = 0;
  redactions = 0;
  testing::RecordingTracer tracing;
  LruCache cache;
  TracedCache traced(cache, tracing.tracer(), [](std::string_view key) {
    ++redactions;
    return std::string(key);
  });
  traced.set({}, "user:1", "{}");
  EXPECT_EQ(redactions, 1);
  tracing.provider->shutdown();
  const telemetry::SpanContext parent(*telemetry::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"),
                                      *telemetry::SpanId::from_hex("00f067aa0ba902b7"), 1, true);
  telemetry::Context context;
  context.span = parent;
  EXPECT_TRUE(traced.get(context, "user:1"));
  traced.erase(context, "user:1");
  EXPECT_FALSE(traced.get(context, "user:1"));
  EXPECT_EQ(redactions, 1);
  EXPECT_EQ(tracing.spans->spans().size(), 1u);
}

}  // namespace
}  // namespace tdemo::storage
