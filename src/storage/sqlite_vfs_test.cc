#include "storage/sqlite_vfs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "storage/sqlite.h"

namespace tdemo::storage {
namespace {

class SqliteVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "sqlite_vfs_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
  }

  std::unique_ptr<Database> open() {
    DatabaseOptions options;
    options.path = path_;
    auto db = Database::open(options);
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static std::int64_t scalar(Database& db, const std::string& sql) {
    auto statement = db.prepare(sql);
    EXPECT_TRUE(statement.ok());
    if (!statement.ok()) return -1;
    auto row = statement.value()->step();
    EXPECT_TRUE(row.ok() && row.value()) << sql;
    const std::int64_t value = row.ok() && row.value() ? statement.value()->column_int(0) : -1;
    statement.value()->reset();
    return value;
  }

  static std::string integrity(Database& db) {
    auto statement = db.prepare("PRAGMA integrity_check");
    if (!statement.ok() || !statement.value()->step().value()) return "no answer";
    std::string text = statement.value()->column_text(0);
    statement.value()->reset();
    return text;
  }

  std::string path_;
};

TEST_F(SqliteVfsTest, DatabasesOpenWithIt) {
  ASSERT_NE(sqlite_vfs_name(), nullptr);
  auto db = open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  EXPECT_FALSE(std::filesystem::exists(path_ + "-shm"));  // unix-excl: the WAL index in memory
}

// A transaction's frames (a table page and an index page: two writes each) reach the file in
// one write, at its commit.
TEST_F(SqliteVfsTest, ACommitIsOneWrite) {
  auto db = open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); "
                       "CREATE INDEX t_by_name ON t (name);").ok());
  for (int i = 0; i < 3; ++i) {
    const WalWriteCounts before = wal_write_counts();
    ASSERT_TRUE(db->exec("INSERT INTO t (name) VALUES ('row " + std::to_string(i) + "')").ok());
    const WalWriteCounts after = wal_write_counts();
    EXPECT_GE(after.received - before.received, 4u) << "two frames, a header and a page each";
    EXPECT_EQ(after.written - before.written, 1u);
  }
}

// Another connection reads a commit as soon as it returns (its own file descriptor: the frames
// must be in the file, not in the writer's buffer).
TEST_F(SqliteVfsTest, AnotherConnectionReadsWhatWasCommitted) {
  auto writer = open();
  auto reader = open();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(writer->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)").ok());
  for (int i = 1; i <= 50; ++i) {
    ASSERT_TRUE(writer->exec("INSERT INTO t (body) VALUES (hex(randomblob(300)))").ok());
    ASSERT_EQ(scalar(*reader, "SELECT count(*) FROM t"), i);
  }
  EXPECT_EQ(integrity(*reader), "ok");
}

// Readers on other threads, each with its own connection, never see a commit before its frames
// are in the file: every row they count is there whole.
TEST_F(SqliteVfsTest, ReadersOnOtherThreadsSeeOnlyWholeCommits) {
  auto writer = open();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").ok());
  constexpr int kRows = 3000;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> failures;
  std::mutex failures_mutex;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      auto reader = open();
      if (!reader) return;
      std::int64_t last = 0;
      while (!done.load()) {
        // Every row's body is 'row <id>' padded to 200 bytes: a page read before it was written
        // shows up as a wrong count, a wrong sum or an error.
        auto statement = reader->prepare(
            "SELECT count(*), coalesce(sum(id), 0), coalesce(sum(body = printf('row %-196d', id)), 0) FROM t");
        std::string failure;
        if (!statement.ok()) {
          failure = statement.error().message;
        } else if (auto row = statement.value()->step(); !row.ok() || !row.value()) {
          failure = row.ok() ? "no row" : row.error().message;
        } else {
          const std::int64_t count = statement.value()->column_int(0);
          const std::int64_t sum = statement.value()->column_int(1);
          const std::int64_t whole = statement.value()->column_int(2);
          if (count < last || sum != count * (count + 1) / 2 || whole != count) {
            failure = "count " + std::to_string(count) + " sum " + std::to_string(sum) + " whole rows " +
                      std::to_string(whole) + " after " + std::to_string(last);
          }
          last = count;
        }
        if (statement.ok()) statement.value()->reset();
        reads.fetch_add(1);
        if (!failure.empty()) {
          std::lock_guard lock(failures_mutex);
          failures.push_back(failure);
          return;
        }
      }
    });
  }
  for (int i = 1; i <= kRows; ++i) {
    const Status s = writer->exec("INSERT INTO t (id, body) VALUES (" + std::to_string(i) +
                                  ", printf('row %-196d', " + std::to_string(i) + "))");
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_GT(reads.load(), 0);
}

// Checkpoints restart the WAL from its beginning (a new header at offset 0, then frames over the
// old ones): commits across many restarts read back whole, from another connection and from the
// files alone.
TEST_F(SqliteVfsTest, CommitsReadBackAcrossWalRestarts) {
  auto writer = open();
  auto reader = open();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(writer->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").ok());
  ASSERT_TRUE(writer->exec("PRAGMA wal_autocheckpoint=4").ok());  // pages
  for (int i = 1; i <= 300; ++i) {
    ASSERT_TRUE(writer->exec("INSERT INTO t (id, body) VALUES (" + std::to_string(i) +
                             ", printf('row %-196d', " + std::to_string(i) + "))").ok());
    if (i % 50 == 0) {
      EXPECT_EQ(scalar(*reader, "SELECT count(*) FROM t WHERE body = printf('row %-196d', id)"), i);
    }
  }
  // The WAL was restarted: it holds far fewer frames than the 300 commits wrote.
  EXPECT_LT(std::filesystem::file_size(path_ + "-wal"), 300u * 1024u);
  EXPECT_EQ(integrity(*reader), "ok");
  writer.reset();
  reader.reset();
  auto reopened = open();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(scalar(*reopened, "SELECT count(*) FROM t WHERE body = printf('row %-196d', id)"), 300);
}

// A commit returns only once its frames are in the file: a process that exits right after,
// without closing anything, loses nothing.
TEST_F(SqliteVfsTest, ACommittedTransactionSurvivesAnExitWithoutClose) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    DatabaseOptions options;
    options.path = path_;
    auto db = Database::open(options);
    if (!db.ok()) ::_exit(2);
    if (!db.value()->exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept')").ok()) ::_exit(3);
    ::_exit(0);  // no destructor, no close: what is not in the file is lost
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto db = open();
  ASSERT_TRUE(db);
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM t WHERE x = 'kept'"), 1);
}

// A transaction larger than the buffer (> 256 KiB of frames) is written in parts and commits
// whole.
TEST_F(SqliteVfsTest, ALargeTransactionIsWrittenInPartsAndCommitsWhole) {
  auto writer = open();
  auto reader = open();
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(writer->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)").ok());
  const WalWriteCounts before = wal_write_counts();
  ASSERT_TRUE(writer->exec("BEGIN IMMEDIATE").ok());
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(writer->exec("INSERT INTO t (body) VALUES (randomblob(900))").ok());
  }
  const Status committed = writer->exec("COMMIT");
  ASSERT_TRUE(committed.ok()) << committed.error().message;
  EXPECT_GE(wal_write_counts().written - before.written, 2u);
  EXPECT_EQ(scalar(*reader, "SELECT count(*) FROM t"), 600);
  EXPECT_EQ(scalar(*reader, "SELECT sum(length(body)) FROM t"), 600 * 900);
  EXPECT_EQ(integrity(*reader), "ok");
}

// A transaction that spills frames to the WAL before it rolls back leaves nothing kept: another
// connection then commits frames at the same place in the WAL, and the first connection's next
// use of the file must not write the rolled-back frames over them.
TEST_F(SqliteVfsTest, RolledBackFramesNeverOverwriteAnotherConnectionsCommit) {
  auto first = open();
  auto second = open();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)").ok());
  // An empty WAL: the rollback reads its pages back from the database file, not from the WAL
  // (a read of the WAL would write what is kept, and hide the case).
  ASSERT_TRUE(first->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  ASSERT_TRUE(first->exec("PRAGMA cache_size=8").ok());  // pages: the transaction spills
  const WalWriteCounts before = wal_write_counts();
  ASSERT_TRUE(first->exec("BEGIN IMMEDIATE").ok());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(first->exec("INSERT INTO t (body) VALUES ('rolled back " + std::to_string(i) +
                            " ' || hex(randomblob(200)))").ok());
  }
  ASSERT_TRUE(first->exec("ROLLBACK").ok());
  EXPECT_GT(wal_write_counts().received, before.received) << "the transaction did not spill";

  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(second->exec("INSERT INTO t (body) VALUES ('committed " + std::to_string(i) + "')").ok());
  }
  EXPECT_EQ(scalar(*first, "SELECT count(*) FROM t"), 5);  // the first connection reads the WAL
  EXPECT_EQ(scalar(*second, "SELECT count(*) FROM t WHERE body LIKE 'committed %'"), 5);
  EXPECT_EQ(integrity(*second), "ok");
  first.reset();
  second.reset();
  auto reopened = open();  // recovery from the WAL file alone
  ASSERT_TRUE(reopened);
  EXPECT_EQ(scalar(*reopened, "SELECT count(*) FROM t"), 5);
  EXPECT_EQ(integrity(*reopened), "ok");
}

}  // namespace
}  // namespace tdemo::storage
