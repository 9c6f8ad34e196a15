// A bounded pool of PostgreSQL connections to one database. Its size is the same knob as the
// SQLite pool's (PoolOptions::size, the demo's "pool-size bottleneck"): callers beyond it wait
// (at most acquire_timeout) and the wait shows up in the DB spans.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/postgres/pg_connection.h"
#include "storage/result.h"

namespace tdemo::storage::pg {

struct PoolOptions {
  ConnectOptions connect;
  std::size_t size = 4;                               // connections; >= 1
  std::chrono::milliseconds acquire_timeout{5000};    // wait at most this for a connection
};

struct PoolStats {
  std::size_t size = 0;
  std::size_t open = 0;
  std::size_t in_use = 0;
  std::uint64_t waits = 0;      // acquisitions that had to wait
  std::uint64_t timeouts = 0;   // acquisitions that gave up
  std::uint64_t discarded = 0;  // connections dropped because they broke
};

// Thread-safe. Connections are opened lazily up to `size`; each is handed to one caller at a
// time and comes back when its Lease is destroyed. A connection that comes back broken or
// inside a transaction is closed (the next acquire opens a fresh one). The pool must outlive
// its leases.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> connection, std::chrono::nanoseconds waited)
        : pool_(pool), connection_(std::move(connection)), waited_(waited) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = delete;
    ~Lease();
    Connection& connection() noexcept { return *connection_; }
    std::chrono::nanoseconds waited() const noexcept { return waited_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
    std::chrono::nanoseconds waited_;
  };

  // Opens the first connection and runs `init` on it (schema, seed data); either failing
  // fails create().
  static Result<std::unique_ptr<Pool>> create(
      PoolOptions options, const std::function<Status(Connection&)>& init = {});
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Blocks until a connection is free (at most acquire_timeout): kBusy when none came or a
  // new connection could not be opened.
  Result<Lease> acquire();
  PoolStats stats() const;

 private:
  explicit Pool(PoolOptions options) : options_(std::move(options)) {}
  void release(std::unique_ptr<Connection> connection);

  PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t opened_ = 0;
  std::size_t in_use_ = 0;
  std::uint64_t waits_ = 0;
  std::uint64_t timeouts_ = 0;
  std::uint64_t discarded_ = 0;
};

}  // namespace tdemo::storage::pg
