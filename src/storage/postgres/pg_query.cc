#include "storage/postgres/pg_query.h"

#include <charconv>

#include "storage/postgres/libpq.h"

namespace tdemo::storage::pg {
namespace {

// Any constant works; all services share it so concurrent starts serialise.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7368794)";

}  // namespace

QueryRunner::QueryRunner(telemetry::Tracer tracer, PostgresTarget target, SlowQueryKnob slow)
    : tracer_(std::move(tracer), "postgresql", target.database, slow), target_(std::move(target)) {}

Result<Rows> QueryRunner::run(const telemetry::Context& parent, Connection& connection,
                              std::string_view operation, std::string_view table,
                              const std::string& sql, const Params& params,
                              std::chrono::nanoseconds waited) const {
  auto span = tracer_.start(parent, operation, table, sql);
  span.set_attribute("server.address", target_.host);
  span.set_attribute("server.port", target_.port);
  if (waited.count() > 0) QueryTracer::record_pool_wait(span, waited);
  tracer_.maybe_delay(span);
  const bool in_transaction = connection.in_transaction();
  auto rows = connection.execute(sql, params);
  if (!rows.ok() && !in_transaction && connection.broken()) {
    span.add_event("db.client.reconnect");
    if (auto status = connection.reconnect(); status.ok()) rows = connection.execute(sql, params);
  }
  QueryTracer::finish(span, rows.ok() ? nullptr : &rows.error());
  return rows;
}

Status ping(Pool& pool) {
  auto lease = pool.acquire();
  if (!lease.ok()) return lease.error();
  Connection& connection = lease->connection();
  auto status = connection.exec("SELECT 1");
  if (!status.ok() && connection.broken() && connection.reconnect().ok()) {
    status = connection.exec("SELECT 1");
  }
  return status;
}

storage::PoolStats storage_stats(const Pool& pool) {
  const PoolStats stats = pool.stats();
  return storage::PoolStats{stats.size, stats.in_use, stats.waits, stats.timeouts};
}

Result<std::unique_ptr<Pool>> open_pool(const PostgresRepositoryOptions& options,
                                        const std::string& schema) {
  auto target = parse_postgres_url(options.url);
  if (!target.ok()) return target.error();
  PoolOptions pool;
  pool.connect.url = options.url;
  pool.connect.connect_timeout = options.connect_timeout;
  pool.connect.statement_timeout = options.statement_timeout;
  pool.size = options.pool_size;
  pool.acquire_timeout = options.acquire_timeout;
  return Pool::create(std::move(pool), [&](Connection& connection) -> Status {
    Transaction transaction(connection);
    if (!transaction.begin_status().ok()) return transaction.begin_status().error();
    if (auto status = connection.exec(kSchemaLock); !status.ok()) return status;
    if (auto status = connection.exec(schema); !status.ok()) return status;
    return transaction.commit();
  });
}

}  // namespace tdemo::storage::pg

namespace tdemo::storage {

Result<PostgresTarget> parse_postgres_url(std::string_view url) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return Error{ErrorCode::kInvalid,
                 "DATABASE_URL must start with postgresql:// (e.g. "
                 "postgresql://user:password@localhost:5432/tracing_demo)"};
  }
  const pq::Api* lib = pq::api();
  if (lib == nullptr) return Error{ErrorCode::kInvalid, pq::load_error()};
  char* message = nullptr;
  const std::string text(url);
  PQconninfoOption* options = lib->PQconninfoParse(text.c_str(), &message);
  if (!options) {
    std::string reason = message ? message : "out of memory";
    if (message) lib->PQfreemem(message);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    return Error{ErrorCode::kInvalid, "invalid DATABASE_URL: " + reason};
  }
  PostgresTarget target;
  std::string port;
  for (PQconninfoOption* option = options; option->keyword; ++option) {
    if (!option->val || !*option->val) continue;
    const std::string_view key = option->keyword;
    if (key == "host" || (key == "hostaddr" && target.host == "localhost")) target.host = option->val;
    if (key == "port") port = option->val;
    if (key == "dbname") target.database = option->val;
    if (key == "user") target.user = option->val;
  }
  lib->PQconninfoFree(options);
  if (!port.empty()) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535) {
      return Error{ErrorCode::kInvalid, "invalid DATABASE_URL: bad port '" + port + "'"};
    }
    target.port = value;
  }
  if (target.database.empty()) target.database = target.user;  // libpq's default
  return target;
}

}  // namespace tdemo::storage
