// A bounded pool of SQLite connections to one database file. Its size is the demo's
// "artificial pool-size bottleneck" knob: with fewer connections than concurrent requests,
// callers wait for a connection, and that wait shows up in the DB spans (db.pool.wait_ms).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/result.h"
#include "storage/sqlite.h"
#include "storage/wal_checkpointer.h"

namespace tdemo::storage {

struct PoolOptions {
  DatabaseOptions database;
  // A file in WAL mode is checkpointed on a thread of the pool's once its WAL holds this many
  // pages (storage/wal_checkpointer.h), not by the commit that crosses the mark; 0: by SQLite,
  // on the committing thread, at its wal_autocheckpoint (Database::open sets the same mark).
  int checkpoint_pages = kWalCheckpointPages;
  std::size_t size = 4;                                  // connections; >= 1 (":memory:" uses 1)
  std::chrono::milliseconds acquire_timeout{5000};       // wait at most this for a connection
};

struct PoolStats {
  std::size_t size = 0;
  std::size_t in_use = 0;
  std::uint64_t waits = 0;      // acquisitions that had to wait
  std::uint64_t timeouts = 0;   // acquisitions that gave up
};

// Thread-safe. Connections are opened lazily up to `size`; each is handed to one caller at a
// time and comes back when its Lease is destroyed. The pool must outlive its leases.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Database> db, std::chrono::nanoseconds waited)
        : pool_(pool), db_(std::move(db)), waited_(waited) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = delete;
    ~Lease();
    Database& db() noexcept { return *db_; }
    Database* operator->() noexcept { return db_.get(); }
    std::chrono::nanoseconds waited() const noexcept { return waited_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Database> db_;
    std::chrono::nanoseconds waited_;
  };

  // `init` runs once on the first connection (schema, seed data); its failure fails create().
  static Result<std::unique_ptr<ConnectionPool>> create(
      PoolOptions options, const std::function<Status(Database&)>& init = {});
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Blocks until a connection is free (at most acquire_timeout); kBusy when none came.
  Result<Lease> acquire();
  PoolStats stats() const;
  // The checkpoints the pool's own thread has run (0 with checkpoint_pages 0).
  std::uint64_t checkpoints() const;
  const std::string& name() const noexcept { return name_; }

 private:
  explicit ConnectionPool(PoolOptions options) : options_(std::move(options)) {}
  void release(std::unique_ptr<Database> db);

  PoolOptions options_;
  std::string name_;
  // Before idle_: destroyed after the connections it watches.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;
  std::size_t opened_ = 0;
  std::size_t in_use_ = 0;
  std::uint64_t waits_ = 0;
  std::uint64_t timeouts_ = 0;
};

}  // namespace tdemo::storage
