#include "storage/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
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

// A file database's WAL is checkpointed by the pool's thread once it holds checkpoint_pages
// frames, not by the commits (whose threads are the services' I/O threads): the commits go on,
// the checkpoints happen, the WAL restarts and stays small, and nothing is lost.
TEST(ConnectionPoolTest, ItsOwnThreadCheckpointsTheWal) {
  const std::string path = ::testing::TempDir() + "pool_checkpoint_" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  PoolOptions options;
  options.database.path = path;
  options.size = 2;
  options.checkpoint_pages = 16;
  int id = 0;  // the last row inserted
  {
    auto pool = ConnectionPool::create(options, [](Database& db) {
      return db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    });
    ASSERT_TRUE(pool.ok());
    auto insert = [&](int row) {
      auto lease = pool.value()->acquire();
      ASSERT_TRUE(lease.ok());
      ASSERT_TRUE(lease->db().exec("INSERT INTO t VALUES (" + std::to_string(row) + ", printf('%0500d', 0))").ok());
    };
    while (id < 300) insert(++id);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pool.value()->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT(pool.value()->checkpoints(), 0u);
    // The WAL restarts (its checkpointed frames are written over from its start, under a new
    // header: new salts at bytes 16-23) while commits go on: after the background's checkpoints
    // or, in this tight loop, the committing connection's own at 3 x 16 frames.
    auto salts = [&] {
      std::ifstream wal(path + "-wal", std::ios::binary);
      char header[24] = {};
      wal.read(header, sizeof header);
      return std::string(header + 16, 8);
    };
    // Usually within 300 commits; on a busy machine the background's checkpoint can hold the
    // WAL longer (twice in 25 runs beside another SQLite test process), so up to 3000.
    std::set<std::string> seen;
    for (int i = 0; i < 3000 && seen.size() < 2; ++i) {
      insert(++id);
      seen.insert(salts());
    }
    EXPECT_GE(seen.size(), 2u) << "the WAL never restarted in " << id - 300 << " commits";
    auto lease = pool.value()->acquire();
    ASSERT_TRUE(lease.ok());
    auto count = lease->db().prepare("SELECT count(*) FROM t");
    ASSERT_TRUE(count.ok() && count.value()->step().value());
    EXPECT_EQ(count.value()->column_int(0), id);
  }
  // The pool's last connection folded the WAL into the file and removed it.
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  auto reopened = Database::open(options.database);
  ASSERT_TRUE(reopened.ok());
  auto count = reopened.value()->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok() && count.value()->step().value());
  EXPECT_EQ(count.value()->column_int(0), id);
  reopened.value().reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST(ConnectionPoolTest, WithoutCheckpointPagesSqliteCheckpointsAsBefore) {
  PoolOptions options;
  options.database.path = ::testing::TempDir() + "pool_no_checkpointer_" + std::to_string(::getpid()) + ".db";
  options.checkpoint_pages = 0;
  auto pool = ConnectionPool::create(options);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool.value()->checkpoints(), 0u);
  pool.value().reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((options.database.path + suffix).c_str());
}

}  // namespace
}  // namespace tdemo::storage
