#include "storage/sqlite.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tdemo::storage {
namespace {

std::unique_ptr<Database> open_memory() {
  auto db = Database::open({});
  EXPECT_TRUE(db.ok());
  return std::move(db).value();
}

TEST(SqliteTest, BindsParametersAndReadsRows) {
  auto db = open_memory();
  ASSERT_TRUE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").ok());
  auto insert = db->prepare("INSERT INTO t (name, score) VALUES (?, ?)");
  ASSERT_TRUE(insert.ok());
  insert.value()->bind(1, std::string_view("O'Brien; DROP TABLE t"));
  insert.value()->bind(2, 1.5);
  ASSERT_TRUE(insert.value()->run().ok());
  EXPECT_EQ(db->last_insert_rowid(), 1);

  auto select = db->prepare("SELECT name, score FROM t WHERE id = ?");
  ASSERT_TRUE(select.ok());
  select.value()->bind(1, std::int64_t{1});
  auto row = select.value()->step();
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row.value());
  EXPECT_EQ(select.value()->column_text(0), "O'Brien; DROP TABLE t");
  EXPECT_DOUBLE_EQ(select.value()->column_double(1), 1.5);
}

TEST(SqliteTest, ReusesPreparedStatements) {
  auto db = open_memory();
  auto first = db->prepare("SELECT 1");
  auto second = db->prepare("SELECT 1");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value(), second.value());
}

TEST(SqliteTest, UniqueViolationIsConflict) {
  auto db = open_memory();
  ASSERT_TRUE(db->exec("CREATE TABLE t (k TEXT UNIQUE)").ok());
  auto insert = db->prepare("INSERT INTO t (k) VALUES (?)");
  insert.value()->bind(1, std::string_view("a"));
  ASSERT_TRUE(insert.value()->run().ok());
  insert = db->prepare("INSERT INTO t (k) VALUES (?)");
  insert.value()->bind(1, std::string_view("a"));
  auto s = insert.value()->run();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
}

TEST(SqliteTest, BadSqlIsAnErrorNotACrash) {
  auto db = open_memory();
  auto s = db->prepare("SELEC nonsense");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = open_memory();
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  {
    Transaction tx(*db);
    ASSERT_TRUE(tx.begin_status().ok());
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)").ok());
  }
  {
    Transaction tx(*db);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx.commit().ok());
  }
  auto count = db->prepare("SELECT COUNT(*), SUM(x) FROM t");
  ASSERT_TRUE(count.value()->step().value());
  EXPECT_EQ(count.value()->column_int(0), 1);
  EXPECT_EQ(count.value()->column_int(1), 2);
}

TEST(SqliteTest, RunStepsACachedStatementAndNamesItInErrors) {
  auto db = open_memory();
  ASSERT_TRUE(db->run("BEGIN IMMEDIATE").ok());
  auto again = db->run("BEGIN IMMEDIATE");  // a transaction is open already
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("BEGIN IMMEDIATE: "), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().message.find("within a transaction"), std::string::npos) << again.error().message;
  ASSERT_TRUE(db->run("COMMIT").ok());
  ASSERT_TRUE(db->run("BEGIN IMMEDIATE").ok());  // the same statement, stepped again
  EXPECT_FALSE(sqlite3_get_autocommit(db->handle()));
  ASSERT_TRUE(db->run("ROLLBACK").ok());
  EXPECT_TRUE(sqlite3_get_autocommit(db->handle()));
}

TEST(SqliteTest, TransactionsUseCachedStatements) {
  auto db = open_memory();
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  const auto prepared = [&] {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db->handle(), nullptr); s; s = sqlite3_next_stmt(db->handle(), s)) ++n;
    return n;
  };
  EXPECT_EQ(prepared(), 0);
  for (int i = 0; i < 3; ++i) {
    Transaction tx(*db);
    ASSERT_TRUE(tx.begin_status().ok());
    ASSERT_TRUE(tx.commit().ok());
    Transaction rolled_back(*db);
  }
  EXPECT_EQ(prepared(), 3);  // BEGIN IMMEDIATE, COMMIT and ROLLBACK, each compiled once
}

// Opening a database first turns SQLite's memory statistics off (its allocator then locks no
// process-wide mutex per allocation): sqlite3_memory_used() stays 0 while a database works.
TEST(SqliteTest, MemoryStatisticsAreOff) {
  DatabaseOptions options;
  options.path = ":memory:";
  auto db = Database::open(options);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db.value()->exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES (hex(randomblob(4096)));").ok());
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

TEST(SqliteTest, FileDatabaseUsesWal) {
  const std::string path = ::testing::TempDir() + "sqlite_test_wal.db";
  std::remove(path.c_str());
  DatabaseOptions options;
  options.path = path;
  auto db = Database::open(options);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db.value()->name(), "sqlite_test_wal.db");
  auto mode = db.value()->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.value()->step().value());
  EXPECT_EQ(mode.value()->column_text(0), "wal");
  // Temporary tables (RETURNING's result rows, sorts) in memory, not in temporary files.
  auto temp_store = db.value()->prepare("PRAGMA temp_store");
  ASSERT_TRUE(temp_store.value()->step().value());
  EXPECT_EQ(temp_store.value()->column_int(0), 2);
  db.value().reset();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

// The services' connections share the file within the process (the pool's connections see each
// other's writes) with the WAL index in memory (no -shm file), and hold it against other
// processes: a process lock another process sees (F_GETLK from a forked child).
TEST(SqliteTest, FileIsSharedWithinTheProcessAndLockedAgainstOthers) {
  const std::string path = ::testing::TempDir() + "sqlite_excl_" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  DatabaseOptions options;
  options.path = path;
  auto a = Database::open(options);
  auto b = Database::open(options);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a.value()->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)").ok());
  auto read = b.value()->prepare("SELECT x FROM t");
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read.value()->step().value());
  EXPECT_EQ(read.value()->column_int(0), 7);
  read.value()->reset();
  EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // only async-signal-safe calls here
    const int fd = ::open(path.c_str(), O_RDWR);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
    if (fd < 0 || ::fcntl(fd, F_GETLK, &lock) != 0) ::_exit(2);
    ::_exit(lock.l_type != F_UNLCK && lock.l_pid == ::getppid() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "no lock of this process on the file seen from another one";

  a.value().reset();
  b.value().reset();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
}


// A writer waits out another connection's short transaction (the busy handler retries in
// microsecond steps), and gives up with kBusy once busy_timeout has passed.
TEST(SqliteTest, BusyHandlerWaitsForTheLockThenGivesUpAtTheTimeout) {
  const std::string path = ::testing::TempDir() + "sqlite_busy_" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  DatabaseOptions options{path, std::chrono::milliseconds(300), true};
  auto a = Database::open(options);
  auto b = Database::open(options);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a.value()->exec("CREATE TABLE t (x INTEGER)").ok());

  {  // A holds the write lock for 20 ms: B's write waits and then succeeds.
    auto holder = std::make_unique<Transaction>(*a.value());
    ASSERT_TRUE(holder->begin_status().ok());
    std::thread release([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      EXPECT_TRUE(holder->commit().ok());
    });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(b.value()->exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(15));
    release.join();
  }
  {  // A never lets go: B gives up with kBusy after about busy_timeout, not before.
    Transaction holder(*a.value());
    ASSERT_TRUE(holder.begin_status().ok());
    const auto started = std::chrono::steady_clock::now();
    const auto s = b.value()->exec("INSERT INTO t VALUES (2)");
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kBusy);
    EXPECT_GE(waited, std::chrono::milliseconds(300));
    EXPECT_LT(waited, std::chrono::seconds(5));
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tdemo::storage
