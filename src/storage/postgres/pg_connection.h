// A small RAII wrapper over one libpq connection: bound (text) parameters only, statements
// prepared once per connection and reused, transactions, SQLSTATE -> ErrorCode mapping, and
// reconnecting a broken connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/result.h"

struct pg_conn;
struct pg_result;

namespace tdemo::storage::pg {

// Query parameters in PostgreSQL's text format; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

// One query's rows. Owns the PGresult. Move-only.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result) noexcept : result_(result) {}
  Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const noexcept;
  // Rows affected by INSERT/UPDATE/DELETE (0 for other commands).
  std::int64_t affected() const noexcept;
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  bool is_null(int row, int column) const;
  // The command tag ("COMMIT", "ROLLBACK", "INSERT 0 1", ...).
  std::string command_tag() const;

 private:
  pg_result* result_ = nullptr;
};

struct ConnectOptions {
  std::string url;  // postgresql://user:password@host:port/database (any libpq URI or conninfo)
  std::chrono::milliseconds connect_timeout{2000};    // libpq rounds up to whole seconds (>= 2)
  std::chrono::milliseconds statement_timeout{5000};  // server-side; 0 disables
};

// One connection. Not thread-safe: used by one thread at a time (the pool hands it out).
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const ConnectOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `sql` (prepared on first use on this connection, then reused) with `params`.
  Result<Rows> execute(const std::string& sql, const Params& params);
  // Runs one or more statements without parameters (schema, BEGIN/COMMIT).
  Status exec(const std::string& sql);

  // True when libpq has seen the connection break (server gone, network error).
  bool broken() const noexcept;
  // True when not idle: inside a transaction, or in an unknown state.
  bool in_transaction() const noexcept;
  // Reconnects with the same parameters; prepared statements are prepared again on use.
  Status reconnect();

 private:
  friend class Transaction;
  explicit Connection(pg_conn* connection) noexcept : connection_(connection) {}
  Status exec_returning_tag(const std::string& sql, Rows& rows);
  pg_conn* connection_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// The Error for a failed result (SQLSTATE class 23 -> kConflict, 22 -> kInvalid, lock and
// timeout and connection failures -> kBusy, anything else -> kInternal).
Error error_from(const pg_result* result, const pg_conn* connection, std::string_view what);

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  const Status& begin_status() const noexcept { return begin_; }
  Status commit();

 private:
  Connection& connection_;
  Status begin_;
  bool done_ = false;
};

}  // namespace tdemo::storage::pg
