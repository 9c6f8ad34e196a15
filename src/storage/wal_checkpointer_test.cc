#include "storage/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

namespace tdemo::storage {
namespace {

// The WAL header's salts (bytes 16-23): new ones each time the WAL restarts from its start.
std::string wal_salts(const std::string& path) {
  std::ifstream wal(path + "-wal", std::ios::binary);
  char header[24] = {};
  wal.read(header, sizeof header);
  return std::string(header + 16, 8);
}

// With the checkpointer's thread held, only the committing connection's own checkpoint at
// kSynchronousFactor times the mark can let the WAL restart: it must, within a few times that
// many frames (each commit here writes a page or two), and no thread checkpoint runs meanwhile.
TEST(WalCheckpointerTest, TheCommittingConnectionCheckpointsPastThreeTimesTheMark) {
  const std::string path = ::testing::TempDir() + "wal_fallback_" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  DatabaseOptions options;
  options.path = path;
  constexpr int kPages = 16;
  {
    auto db = Database::open(options);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db.value()->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").ok());
    auto checkpointer = WalCheckpointer::start(options, kPages);
    ASSERT_TRUE(checkpointer.ok());
    checkpointer.value()->hold_for_testing(true);
    checkpointer.value()->attach(*db.value());
    std::set<std::string> seen;
    for (int id = 1; id <= 10 * WalCheckpointer::kSynchronousFactor * kPages && seen.size() < 2; ++id) {
      ASSERT_TRUE(db.value()->exec("INSERT INTO t VALUES (" + std::to_string(id) + ", printf('%0500d', 0))").ok());
      seen.insert(wal_salts(path));
    }
    EXPECT_GE(seen.size(), 2u) << "the WAL never restarted";
    EXPECT_EQ(checkpointer.value()->checkpoints(), 0u);
    db.value().reset();  // closed before the checkpointer, as attach() asks
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace
}  // namespace tdemo::storage
