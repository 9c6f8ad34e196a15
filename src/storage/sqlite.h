// A small RAII wrapper over SQLite: one connection, its prepared statements (kept and reused),
// bound parameters only, transactions. WAL mode and a busy timeout are set on open.
//
// The repositories' tables key rows by `id INTEGER PRIMARY KEY` without AUTOINCREMENT. Rows are
// never deleted, so a new id is always one past the largest either way; AUTOINCREMENT would also
// update its sqlite_sequence table in every insert: one more page through the write-ahead log,
// two more writes to it, per inserted row. (Files made before keep their AUTOINCREMENT.)
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tdemo::storage {

// The current UTC time as the schemas' created_at defaults write it (strftime('%Y-%m-%dT%H:%M:%fZ',
// 'now'), e.g. "2026-12-07T05:01:02.345Z"): for inserts that return the new row without
// RETURNING, which makes SQLite buffer the row in a temporary table.
std::string sqlite_timestamp_now();

// SQLite's process-wide settings, once, before SQLite initializes: memory statistics off (with
// them SQLite's allocator locks a process-wide mutex around every allocation; nothing here
// reads them). Database::open calls it; a program calls it first when something else may open
// SQLite before (the trace store's durable storage). Refused, changing nothing, once SQLite
// has initialized. Must not run while another thread is inside SQLite.
void configure_sqlite_process();

class Database;

// A prepared statement, reset and cleared on every acquire. Owned by its Database; valid
// while the Database lives. Not thread-safe (a connection is used by one thread at a time).
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  void bind(int index, std::int64_t value);
  void bind(int index, double value);
  void bind(int index, std::string_view value);  // copied by SQLite (SQLITE_TRANSIENT)
  void bind_null(int index);

  // Runs one step: true when a row is available, false when done; an Error on failure.
  Result<bool> step();
  // Runs to completion, ignoring rows (INSERT/UPDATE/DDL).
  Status run();

  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

  // Resets the statement and clears its bindings, ready for reuse.
  void reset() noexcept;

 private:
  friend class Database;
  sqlite3_stmt* stmt_;
};

// A WAL's size in pages at which it is checkpointed (folded into the database file): SQLite's
// wal_autocheckpoint on every connection Database::open makes, and the pools' checkpoint thread.
inline constexpr int kWalCheckpointPages = 10000;

struct DatabaseOptions {
  std::string path = ":memory:";  // a file path, or ":memory:"
  std::chrono::milliseconds busy_timeout{5000};
  bool wal = true;  // journal_mode=WAL (ignored for :memory:)

  // A file in WAL mode (not an in-memory database, which has no WAL).
  bool wal_file() const noexcept {
    return wal && path != ":memory:" && path.find("mode=memory") == std::string::npos;
  }
};

// One SQLite connection. Not thread-safe: use from one thread at a time (ConnectionPool
// hands connections out exclusively). Movable, not copyable.
class Database {
 public:
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without parameters (schema, pragmas), compiled each time.
  Status exec(std::string_view sql);
  // Runs one statement without parameters or rows (BEGIN, COMMIT) through its cached
  // prepared statement: for statements run on every request, which exec() would compile anew.
  Status run(const std::string& sql);
  // The cached prepared statement for `sql` (prepared on first use), reset and ready to bind.
  // The reference is valid until the Database is destroyed; use one statement at a time.
  Result<Statement*> prepare(const std::string& sql);

  std::int64_t last_insert_rowid() const noexcept;
  int changes() const noexcept;
  // The file name (the last path component), for db.namespace; ":memory:" for memory.
  const std::string& name() const noexcept { return name_; }
  sqlite3* handle() const noexcept { return db_; }

 private:
  Database(sqlite3* db, std::string name) : db_(db), name_(std::move(name)) {}
  // SQLite's busy handler: waits for another connection's lock in microsecond steps (yield, then
  // 10 us doubling up to 1 ms) for at most busy_timeout_. SQLite's own busy_timeout sleeps a
  // whole millisecond first, while the transactions here hold the lock for microseconds.
  static int on_busy(void* database, int attempt) noexcept;
  sqlite3* db_;
  std::chrono::milliseconds busy_timeout_{0};
  std::chrono::steady_clock::time_point busy_since_{};
  std::string name_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// Maps an SQLite result code (and the connection's message) to an Error.
Error sqlite_error(sqlite3* db, int code, std::string_view what);

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  // The status of BEGIN; when not ok, do nothing else in the transaction.
  const Status& begin_status() const noexcept { return begin_; }
  Status commit();

 private:
  Database& db_;
  Status begin_;
  bool done_ = false;
};

}  // namespace tdemo::storage
