#include "storage/sqlite.h"

#include <algorithm>
#include <thread>

#include <sqlite3.h>

#include "storage/sqlite_vfs.h"
#include "telemetry/log.h"
#include "telemetry/span_data.h"

namespace tdemo::storage {

std::string sqlite_timestamp_now() { return telemetry::format_rfc3339_millis(telemetry::now_unix_nano()); }

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kBusy: return "busy";
    case ErrorCode::kInvalid: return "invalid";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

Error sqlite_error(sqlite3* db, int code, std::string_view what) {
  Error error;
  const int primary = code & 0xff;
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY ||
      primary == SQLITE_CONSTRAINT) {
    error.code = ErrorCode::kConflict;
  } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    error.code = ErrorCode::kBusy;
  } else {
    error.code = ErrorCode::kInternal;
  }
  error.message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  return error;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
void Statement::bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
void Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}
void Statement::bind_null(int index) { sqlite3_bind_null(stmt_, index); }

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step's extended code comes from the connection.
  sqlite3* db = sqlite3_db_handle(stmt_);
  return sqlite_error(db, sqlite3_extended_errcode(db), "step");
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.error();
    if (!row.value()) return ok_status();
  }
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }
std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
              : std::string();
}
bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void configure_sqlite_process() {
  // The statistics' mutex was most of the ~140 mutex lock/unlock pairs of a full flow.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  configure_sqlite_process();
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                    SQLITE_OPEN_URI;
  // "unix-excl" with the WAL's writes gathered per commit (storage/sqlite_vfs.h): another process
  // cannot open the file while this one has it open (it gets "database is locked").
  const int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, sqlite_vfs_name());
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, rc, "open " + options.path);
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  std::string name = options.path;
  if (auto slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
  std::unique_ptr<Database> database(new Database(db, std::move(name)));
  database->busy_timeout_ = options.busy_timeout;
  sqlite3_busy_handler(db, &Database::on_busy, database.get());
  if (options.wal_file()) {
    // page_size=1024 (for a new file; an existing one keeps its size): every commit checksums and
    // writes each page it changed to the WAL whole, and the services' rows are ~100 bytes: a full
    // flow costs ~3% fewer instructions than with 4 KiB pages.
    // wal_autocheckpoint=10000 pages (10 MiB of WAL at 1 KiB pages, SQLite's default is 1000): the
    // commit that crosses the mark checkpoints on the request's thread, with an fsync of the WAL
    // and of the database (synchronous=NORMAL); a full flow writes ~8 pages, so at 1000 that was
    // every ~125 flows (measured: docs/performance.md, "Session 15").
    // Switching to WAL takes an exclusive lock and SQLite answers SQLITE_BUSY at once, without
    // the busy handler, when another connection opens the same new file at that moment (the
    // services' pools start together): retry within the busy timeout.
    const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
    auto pause = std::chrono::microseconds(100);
    for (;;) {
      auto s = database->exec(
          "PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
          "PRAGMA wal_autocheckpoint=" + std::to_string(kWalCheckpointPages) + ";");
      if (s.ok()) break;
      if (s.error().code != ErrorCode::kBusy) return s.error();
      if (std::chrono::steady_clock::now() >= deadline) {
        Error error = s.error();
        error.message = options.path + " is locked: another process has it open (a service holds "
                        "its SQLite file for as long as it runs); " + error.message;
        return error;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(5000));
    }
  }
  // temp_store=MEMORY: the temporary tables SQLite builds for a statement (every RETURNING
  // clause buffers its rows in one) live in memory rather than behind a temporary file: about
  // 1% of a full flow's instructions.
  if (auto s = database->exec("PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"); !s.ok()) return s.error();
  return database;
}

int Database::on_busy(void* database, int attempt) noexcept {
  auto* self = static_cast<Database*>(database);
  const auto now = std::chrono::steady_clock::now();
  if (attempt == 0) self->busy_since_ = now;
  if (now - self->busy_since_ >= self->busy_timeout_) return 0;  // give up: SQLITE_BUSY
  if (attempt < 4) {
    std::this_thread::yield();
  } else {
    const int shift = std::min(attempt - 4, 7);  // 10 us, 20 us, ... 1.28 ms
    std::this_thread::sleep_for(std::chrono::microseconds(std::min(10 << shift, 1000)));
  }
  return 1;  // try again
}

Database::~Database() {
  statements_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

Status Database::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    // The context names the statement (its start), so a failure says which one.
    std::string_view start = sql.substr(sql.find_first_not_of(" \n") == std::string_view::npos
                                            ? 0
                                            : sql.find_first_not_of(" \n"));
    start = start.substr(0, std::min(start.find('\n'), std::size_t{40}));
    Error error = sqlite_error(db_, sqlite3_extended_errcode(db_), "exec " + std::string(start));
    sqlite3_free(message);
    return error;
  }
  return ok_status();
}

Result<Statement*> Database::prepare(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
  auto [it, inserted] = statements_.emplace(sql, std::make_unique<Statement>(stmt));
  (void)inserted;
  return it->second.get();
}

Status Database::run(const std::string& sql) {
  auto statement = prepare(sql);
  if (!statement.ok()) return statement.error();
  auto status = statement.value()->run();
  if (status.ok()) return status;
  Error error = status.error();
  error.message = sql + ": " + error.message;
  return error;
}

std::int64_t Database::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const noexcept { return sqlite3_changes(db_); }

namespace {
const std::string kBegin = "BEGIN IMMEDIATE";
const std::string kCommit = "COMMIT";
const std::string kRollback = "ROLLBACK";
}  // namespace

Transaction::Transaction(Database& db) : db_(db), begin_(db.run(kBegin)) {}

Transaction::~Transaction() {
  if (!done_ && begin_.ok()) (void)db_.run(kRollback);
}

Status Transaction::commit() {
  if (!begin_.ok()) return begin_.error();
  auto s = db_.run(kCommit);
  if (s.ok()) done_ = true;
  return s;
}

}  // namespace tdemo::storage
