#include "storage/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace tdemo::storage {
namespace {

TEST(ConnectionPoolTest, InitRunsOnceAndMemoryUsesOneConnection) {
  int init_calls = 0;
  PoolOptions options;
  options.size = 8;
  auto pool = ConnectionPool::create(options, [&](Database& db) {
    ++init_calls;
    return db.exec("CREATE TABLE t (x INTEGER)");
  });
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(init_calls, 1);
  EXPECT_EQ(pool.value()->stats().size, 1u);
  auto lease = pool.value()->acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_TRUE(lease->db().exec("INSERT INTO t VALUES (1)").ok());
}

TEST(ConnectionPoolTest, TimesOutWhenEveryConnectionIsLeased) {
  PoolOptions options;
  options.acquire_timeout = std::chrono::milliseconds(20);
  auto pool = ConnectionPool::create(options);
  ASSERT_TRUE(pool.ok());
  auto held = pool.value()->acquire();
  ASSERT_TRUE(held.ok());
  auto second = pool.value()->acquire();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kBusy);
  EXPECT_EQ(pool.value()->stats().timeouts, 1u);
}

TEST(ConnectionPoolTest, BoundsConcurrentUseOfAFileDatabase) {
  const std::string path = ::testing::TempDir() + "pool_test.db";
  std::remove(path.c_str());
  PoolOptions options;
  options.database.path = path;
  options.size = 2;
  auto pool = ConnectionPool::create(options,
                                     [](Database& db) { return db.exec("CREATE TABLE IF NOT EXISTS t (x)"); });
  ASSERT_TRUE(pool.ok());
  std::atomic<int> in_use{0}, max_in_use{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto lease = pool.value()->acquire();
        if (!lease.ok()) { ++failures; continue; }
        const int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {}
        if (!lease->db().exec("INSERT INTO t VALUES (1)").ok()) ++failures;
        --in_use;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(max_in_use.load(), 2);
  pool.value().reset();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

}  // namespace
}  // namespace tdemo::storage
