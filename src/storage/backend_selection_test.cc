#include "storage/backend_selection.h"

#include <gtest/gtest.h>

#include "storage/test_tracing.h"
#include "support/servers.h"

namespace tdemo::storage {
namespace {

TEST(BackendSelectionTest, UrlsChooseTheBackend) {
  EXPECT_EQ(database_backend_for("").value(), DatabaseBackend::kSqlite);
  EXPECT_EQ(database_backend_for("postgresql://u:p@h:5432/d").value(), DatabaseBackend::kPostgres);
  EXPECT_EQ(database_backend_for("postgres://u@h/d").value(), DatabaseBackend::kPostgres);
  EXPECT_EQ(cache_backend_for("").value(), CacheBackend::kMemory);
  EXPECT_EQ(cache_backend_for("redis://localhost:6379/0").value(), CacheBackend::kRedis);
  for (const char* bad : {"mysql://u:p@h/d", "sqlite.db", "http://x"}) {
    auto backend = database_backend_for(bad);
    ASSERT_FALSE(backend.ok()) << bad;
    EXPECT_EQ(backend.error().code, ErrorCode::kInvalid);
    EXPECT_NE(backend.error().message.find("DATABASE_URL"), std::string::npos);
  }
  auto cache = cache_backend_for("memcached://localhost:11211");
  ASSERT_FALSE(cache.ok());
  EXPECT_NE(cache.error().message.find("REDIS_URL"), std::string::npos);
}

TEST(BackendSelectionTest, DefaultsAreSqliteAndTheInProcessCache) {
  auto users = make_user_repository("", {}, {});
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_TRUE(users.value()->find({}, 1).ok());
  auto cache = make_cache("", {});
  ASSERT_TRUE(cache.ok());
  EXPECT_STREQ(cache.value()->system_name(), "memory");
  cache.value()->set("k", "v");
  EXPECT_EQ(cache.value()->get("k"), "v");
  EXPECT_EQ(cache_counters(*cache.value()).hits, 1u);
  EXPECT_EQ(cache_counters(*cache.value()).entries, 1u);
}

TEST(BackendSelectionTest, BadUrlsAreClearErrors) {
  auto orders = make_order_repository("postgresql://u@h:notaport/d", {}, {});
  ASSERT_FALSE(orders.ok());
  EXPECT_EQ(orders.error().code, ErrorCode::kInvalid);
  EXPECT_NE(orders.error().message.find("DATABASE_URL"), std::string::npos);
  auto cache = make_cache("redis://localhost:6379/notadb", {});
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().code, ErrorCode::kInvalid);
  auto unreachable = make_payment_repository("postgresql://u:p@127.0.0.1:1/d", {}, {});
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, ErrorCode::kBusy);
  EXPECT_NE(unreachable.error().message.find("DATABASE_URL"), std::string::npos);
}

TEST(BackendSelectionTest, UnreachableRedisStillGivesACache) {
  auto cache = make_cache("redis://127.0.0.1:1/0", {});
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  EXPECT_STREQ(cache.value()->system_name(), "redis");
  EXPECT_FALSE(cache.value()->get("k").has_value());
  EXPECT_FALSE(cache.value()->lookup("k").ok());
}

TEST(BackendSelectionTest, PostgresAndRedisUrlsBuildWorkingBackends) {
  if (!test::find_postgres_bin_dir() || !test::find_redis_server()) {
    GTEST_SKIP() << "PostgreSQL server binaries or redis-server not found: skipped";
  }
  test::PostgresServer postgres;
  test::RedisServer redis;
  testing::RecordingTracer tracing;
  SqliteRepositoryOptions options;
  options.pool.size = 2;
  auto users = make_user_repository(postgres.url(), options, tracing.tracer());
  ASSERT_TRUE(users.ok()) << users.error().message;
  ASSERT_TRUE(users.value()->find({}, 1).ok());
  ASSERT_EQ(tracing.spans->spans().size(), 1u);
  EXPECT_EQ(testing::string_attribute(tracing.spans->spans()[0], "db.system.name"), "postgresql");
  auto cache = make_cache(redis.url(), {});
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  EXPECT_STREQ(cache.value()->system_name(), "redis");
  EXPECT_FALSE(cache.value()->get("k").has_value());
  cache.value()->set("k", "v");
  EXPECT_EQ(cache.value()->get("k"), "v");
  const auto counters = cache_counters(*cache.value());
  EXPECT_EQ(counters.hits, 1u);
  EXPECT_EQ(counters.misses, 1u);
  EXPECT_EQ(counters.errors, 0u);
}

}  // namespace
}  // namespace tdemo::storage
