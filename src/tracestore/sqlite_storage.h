// Durable span storage in SQLite (WAL): every span the store accepts is appended in one
// transaction per export request, committed before the request is answered, and reloaded on
// start. Retention deletes spans that started before a cut-off.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "telemetry/span_data.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tdemo::tracestore {

class TraceStore;

struct SqliteOptions {
  std::string path;
  // FULL: a commit is fsynced before append() returns (a 200 survives power loss);
  // NORMAL: survives a process crash (SIGKILL) but not a power loss; faster.
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;
};

// Thread-safe: one connection, serialised by a mutex.
class SqliteSpanStorage {
 public:
  // Opens (creating when missing) the database; nullptr and `error` set on failure.
  static std::unique_ptr<SqliteSpanStorage> open(const SqliteOptions& options, std::string& error);
  ~SqliteSpanStorage();
  SqliteSpanStorage(const SqliteSpanStorage&) = delete;
  SqliteSpanStorage& operator=(const SqliteSpanStorage&) = delete;

  // Appends the spans in one transaction; returns an error text when nothing was committed.
  std::optional<std::string> append(std::span<const std::unique_ptr<telemetry::SpanData>> spans);
  // Adds every stored span that started at or after `min_start_ns` into `store`, in insertion
  // order. Returns the number of spans loaded (rows that fail to decode are skipped).
  std::size_t load_into(TraceStore& store, std::uint64_t min_start_ns);
  // Deletes spans that started before `cutoff_ns`; returns how many rows went.
  std::size_t delete_older_than(std::uint64_t cutoff_ns);
  std::uint64_t span_count();

 private:
  SqliteSpanStorage() = default;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace tdemo::tracestore
