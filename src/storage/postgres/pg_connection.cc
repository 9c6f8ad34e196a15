#include "storage/postgres/pg_connection.h"

#include "storage/postgres/libpq.h"


#include <algorithm>
#include <charconv>
#include <cstring>

namespace tdemo::storage::pg {
namespace {

// libpq's functions; loaded before the first connection opens (Connection::open checks).
const pq::Api& lib() noexcept { return *pq::api(); }

void ignore_notice(void*, const char*) {}

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

ErrorCode code_for_sqlstate(std::string_view state) {
  if (state.size() != 5) return ErrorCode::kInternal;
  const std::string_view cls = state.substr(0, 2);
  if (cls == "23") return ErrorCode::kConflict;      // integrity constraint violation
  if (cls == "22") return ErrorCode::kInvalid;       // data exception
  if (cls == "08" || cls == "53" || cls == "57") {   // connection, resources, operator action
    return ErrorCode::kBusy;
  }
  if (state == "40001" || state == "40P01" || state == "55P03") return ErrorCode::kBusy;
  return ErrorCode::kInternal;
}

}  // namespace

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_) lib().PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

Rows::~Rows() {
  if (result_) lib().PQclear(result_);
}

int Rows::size() const noexcept { return result_ ? lib().PQntuples(result_) : 0; }

std::int64_t Rows::affected() const noexcept {
  if (!result_) return 0;
  const char* text = lib().PQcmdTuples(result_);
  std::int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

std::string Rows::text(int row, int column) const {
  return std::string(lib().PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(lib().PQgetlength(result_, row, column)));
}

std::int64_t Rows::int64(int row, int column) const {
  const char* text = lib().PQgetvalue(result_, row, column);
  std::int64_t value = 0;
  std::from_chars(text, text + lib().PQgetlength(result_, row, column), value);
  return value;
}

std::string Rows::command_tag() const { return result_ ? lib().PQcmdStatus(result_) : ""; }

bool Rows::is_null(int row, int column) const { return lib().PQgetisnull(result_, row, column) != 0; }

Error error_from(const pg_result* result, const pg_conn* connection, std::string_view what) {
  Error error;
  const char* state = result ? lib().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state) {
    error.code = code_for_sqlstate(state);
  } else {
    // No SQLSTATE: the client library failed (connection lost, out of memory).
    error.code = connection && lib().PQstatus(connection) == CONNECTION_BAD ? ErrorCode::kBusy
                                                                       : ErrorCode::kInternal;
  }
  const char* message = result ? lib().PQresultErrorMessage(result) : nullptr;
  if (!message || !*message) message = connection ? lib().PQerrorMessage(connection) : "no connection";
  error.message = std::string(what) + ": " + trimmed(message);
  return error;
}

Result<std::unique_ptr<Connection>> Connection::open(const ConnectOptions& options) {
  const auto seconds = std::max<long long>(
      1, (options.connect_timeout.count() + 999) / 1000);  // libpq takes whole seconds
  const std::string connect_timeout = std::to_string(seconds);
  std::string server_options = "-c client_min_messages=warning";
  if (options.statement_timeout.count() > 0) {
    server_options += " -c statement_timeout=" + std::to_string(options.statement_timeout.count());
  }
  // The URL is expanded first; the keywords after it override what it says.
  const char* keywords[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {options.url.c_str(), connect_timeout.c_str(), server_options.c_str(),
                          "tracing-demo", nullptr};
  if (pq::api() == nullptr) return Error{ErrorCode::kInvalid, pq::load_error()};
  pg_conn* raw = lib().PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  std::unique_ptr<Connection> connection(new Connection(raw));
  if (!raw) return Error{ErrorCode::kInternal, "PostgreSQL: out of memory"};
  if (lib().PQstatus(raw) != CONNECTION_OK) {
    return Error{ErrorCode::kBusy, "PostgreSQL connect failed: " + trimmed(lib().PQerrorMessage(raw))};
  }
  lib().PQsetNoticeProcessor(raw, &ignore_notice, nullptr);
  return connection;
}

Connection::~Connection() {
  if (connection_) lib().PQfinish(connection_);
}

bool Connection::broken() const noexcept { return lib().PQstatus(connection_) != CONNECTION_OK; }

bool Connection::in_transaction() const noexcept {
  return lib().PQtransactionStatus(connection_) != PQTRANS_IDLE;
}

Status Connection::reconnect() {
  prepared_.clear();
  lib().PQreset(connection_);
  if (lib().PQstatus(connection_) != CONNECTION_OK) {
    return Error{ErrorCode::kBusy,
                 "PostgreSQL reconnect failed: " + trimmed(lib().PQerrorMessage(connection_))};
  }
  lib().PQsetNoticeProcessor(connection_, &ignore_notice, nullptr);
  return ok_status();
}

Status Connection::exec(const std::string& sql) {
  Rows rows;
  return exec_returning_tag(sql, rows);
}

Status Connection::exec_returning_tag(const std::string& sql, Rows& rows) {
  pg_result* result = lib().PQexec(connection_, sql.c_str());
  const auto status = lib().PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error error = error_from(result, connection_, "exec");
    lib().PQclear(result);
    return error;
  }
  rows = Rows(result);
  return ok_status();
}

Result<Rows> Connection::execute(const std::string& sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "td_" + std::to_string(prepared_.size() + 1);
    pg_result* prepared = lib().PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr);
    if (lib().PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      Error error = error_from(prepared, connection_, "prepare");
      lib().PQclear(prepared);
      return error;
    }
    lib().PQclear(prepared);
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  pg_result* result = lib().PQexecPrepared(connection_, found->second.c_str(),
                                     static_cast<int>(values.size()), values.data(), nullptr,
                                     nullptr, /*resultFormat=*/0);
  const auto status = lib().PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    Error error = error_from(result, connection_, "query");
    lib().PQclear(result);
    return error;
  }
  return Rows(result);
}

Transaction::Transaction(Connection& connection)
    : connection_(connection), begin_(connection.exec("BEGIN")) {
  // Nothing has happened yet, so a connection found broken here can be replaced safely.
  if (!begin_.ok() && connection.broken() && connection.reconnect().ok()) {
    begin_ = connection.exec("BEGIN");
  }
}

Transaction::~Transaction() {
  if (!done_ && begin_.ok()) (void)connection_.exec("ROLLBACK");
}

Status Transaction::commit() {
  Rows rows;
  auto status = connection_.exec_returning_tag("COMMIT", rows);
  if (!status.ok()) return status;
  done_ = true;
  // COMMIT of a transaction that failed earlier reports ROLLBACK instead of an error.
  if (rows.command_tag() != "COMMIT") {
    return Error{ErrorCode::kInternal, "transaction was rolled back"};
  }
  return ok_status();
}

}  // namespace tdemo::storage::pg
