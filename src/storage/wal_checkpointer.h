// Checkpoints a SQLite database's write-ahead log on a thread of its own.
//
// SQLite checkpoints on the connection whose commit crosses wal_autocheckpoint pages: on the
// services' I/O threads, where the copy of up to 10 MiB of pages and two fsyncs stall every
// request that thread serves (the traced full flow's p99 was 18-170 ms with those checkpoints,
// ~10 ms with none at all and 11-12 ms with this object, at the same CPU per flow:
// docs/performance.md, "Session 19"). A connection attached here reports the WAL's size after
// each commit instead (sqlite3_wal_hook, which also turns SQLite's own automatic checkpoint off
// for it), and once the WAL holds `pages` frames this object's thread runs the same PASSIVE
// checkpoint on a connection of its own. Should the WAL reach kSynchronousFactor times that
// (a steady stream of commits keeps it from restarting, see on_commit), the committing connection
// checkpoints itself as SQLite would have. The last connection to close still checkpoints and
// removes the WAL, as before.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/result.h"
#include "storage/sqlite.h"

namespace tdemo::storage {

class WalCheckpointer {
 public:
  // Opens its own connection to `options.path` (a file in WAL mode) and starts the thread.
  static constexpr int kSynchronousFactor = 3;

  static Result<std::unique_ptr<WalCheckpointer>> start(const DatabaseOptions& options, int pages);
  ~WalCheckpointer();  // stops the thread; the checkpoint running, if any, finishes first
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Reports `db`'s commits here from now on. `db` must be closed before this object goes.
  void attach(Database& db);

  // Checkpoints run so far (for tests and stats).
  std::uint64_t checkpoints() const;

  // For tests: while held, the thread runs no checkpoint (requests wait until it is let go), so
  // that the committing connection's own checkpoint at kSynchronousFactor times the mark can be
  // seen alone.
  void hold_for_testing(bool held);

 private:
  WalCheckpointer(std::unique_ptr<Database> db, int pages) : db_(std::move(db)), pages_(pages) {}
  static int on_commit(void* self, struct sqlite3* db, const char* schema, int frames);
  void run();

  std::unique_ptr<Database> db_;
  const int pages_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  bool held_ = false;
  std::uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace tdemo::storage
