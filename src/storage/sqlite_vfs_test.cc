#include "storage/sqlite_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
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

// The same random work (two connections each: inserts of 10 B to 3 KiB, updates, deletes,
// transactions committed and rolled back, savepoints, a small page cache that spills,
// checkpoints) on a file through this VFS and on a file through SQLite's own "unix" VFS leaves
// the same rows, as both connections read them during the work and as a fresh connection reads
// the files alone at the end.
class RawConnection {
 public:
  RawConnection(const std::string& path, const char* vfs) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    ok_ = sqlite3_open_v2(path.c_str(), &db_, flags, vfs) == SQLITE_OK;
    if (ok_) sqlite3_busy_timeout(db_, 5000);
  }
  ~RawConnection() { sqlite3_close_v2(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool ok() const { return ok_; }
  // The result code of running `sql`; rows ignored.
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  // Every row of t, in id order, as one string; "error ..." on failure.
  std::string dump() {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT id, body FROM t ORDER BY id", -1, &statement, nullptr) != SQLITE_OK) {
      return std::string("error ") + sqlite3_errmsg(db_);
    }
    std::string rows;
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      rows += std::to_string(sqlite3_column_int64(statement, 0)) + ":";
      const auto* text = sqlite3_column_text(statement, 1);
      rows += text != nullptr ? reinterpret_cast<const char*>(text) : "";
      rows += "\n";
    }
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE ? rows : std::string("error ") + sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
  bool ok_ = false;
};

TEST_F(SqliteVfsTest, RandomWorkLeavesTheSameRowsAsSqlitesOwnVfs) {
  ASSERT_NE(sqlite_vfs_name(), nullptr);
  const std::string reference = path_ + ".reference";
  for (unsigned seed = 1; seed <= 4; ++seed) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((path_ + suffix).c_str());
      std::remove((reference + suffix).c_str());
    }
    std::mt19937 random(seed);
    auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    struct Side {
      std::unique_ptr<RawConnection> a, b;
    };
    Side sides[2];
    const char* vfs[2] = {sqlite_vfs_name(), "unix"};
    const std::string paths[2] = {path_, reference};
    for (int i = 0; i < 2; ++i) {
      sides[i].a = std::make_unique<RawConnection>(paths[i], vfs[i]);
      sides[i].b = std::make_unique<RawConnection>(paths[i], vfs[i]);
      ASSERT_TRUE(sides[i].a->ok() && sides[i].b->ok());
      ASSERT_EQ(sides[i].a->exec("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; "
                                 "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=50; "
                                 "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL); "
                                 "CREATE INDEX t_by_body ON t (body)"),
                SQLITE_OK);
    }
    auto both = [&](bool second, const std::string& sql) {
      const int x = (second ? sides[0].b : sides[0].a)->exec(sql);
      const int y = (second ? sides[1].b : sides[1].a)->exec(sql);
      EXPECT_EQ(x, y) << "seed " << seed << ": " << sql.substr(0, 120);
    };
    auto statement = [&]() -> std::string {
      const int id = 1 + pick(400);
      switch (pick(4)) {
        case 0:
        case 1:
          return "INSERT OR REPLACE INTO t (id, body) VALUES (" + std::to_string(id) + ", '" +
                 std::string(static_cast<std::size_t>(10 + pick(3000)), static_cast<char>('a' + pick(26))) + "')";
        case 2:
          return "UPDATE t SET body = body || '" + std::to_string(pick(1000)) + "' WHERE id = " + std::to_string(id);
        default:
          return "DELETE FROM t WHERE id = " + std::to_string(id);
      }
    };
    for (int step = 0; step < 400; ++step) {
      const bool second = pick(2) == 1;
      switch (pick(10)) {
        case 0: {  // a transaction, committed or rolled back, with a small cache that spills
          // (after an emptied WAL half the time: a rollback then reads nothing from the WAL)
          if (pick(2) == 0) both(second, "PRAGMA wal_checkpoint(TRUNCATE)");
          both(second, "PRAGMA cache_size=" + std::to_string(pick(2) == 0 ? 4 : 2000));
          both(second, "BEGIN IMMEDIATE");
          const int n = 1 + pick(40);
          for (int i = 0; i < n; ++i) both(second, statement());
          both(second, pick(3) == 0 ? "ROLLBACK" : "COMMIT");
          break;
        }
        case 1:  // a savepoint rolled back inside a committed transaction
          both(second, "BEGIN IMMEDIATE");
          both(second, statement());
          both(second, "SAVEPOINT s");
          for (int i = 0; i < 5; ++i) both(second, statement());
          both(second, "ROLLBACK TO s");
          both(second, "RELEASE s");
          both(second, "COMMIT");
          break;
        case 2:
          both(second, pick(2) == 0 ? "PRAGMA wal_checkpoint(PASSIVE)" : "PRAGMA wal_checkpoint(TRUNCATE)");
          break;
        case 3: {  // both connections read the same rows on each side
          const std::string x = (second ? sides[0].b : sides[0].a)->dump();
          ASSERT_EQ(x, (second ? sides[1].b : sides[1].a)->dump()) << "seed " << seed << " step " << step;
          ASSERT_EQ(x.rfind("error", 0), std::string::npos) << x;
          break;
        }
        default:
          both(second, statement());
      }
    }
    const std::string expected = sides[1].a->dump();
    EXPECT_EQ(sides[0].a->dump(), expected) << "seed " << seed;
    EXPECT_EQ(sides[0].b->dump(), expected) << "seed " << seed;
    for (auto& side : sides) {
      side.a.reset();
      side.b.reset();
    }
    RawConnection reopened(path_, sqlite_vfs_name());
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(reopened.dump(), expected) << "seed " << seed << ", the files alone";
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((reference + suffix).c_str());
}

}  // namespace
}  // namespace tdemo::storage
