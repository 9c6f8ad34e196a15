// What the three PostgreSQL repositories share: opening a pool with a schema, and running one
// statement inside its DB span.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "storage/connection_pool.h"
#include "storage/postgres/pg_pool.h"
#include "storage/postgres/postgres_repositories.h"
#include "storage/query_tracer.h"

namespace tdemo::storage::pg {

// Runs statements in spans. Immutable after construction; thread-safe.
class QueryRunner {
 public:
  QueryRunner(telemetry::Tracer tracer, PostgresTarget target, SlowQueryKnob slow);

  // Runs `sql` on `connection` in a span "{operation} {table}". Outside a transaction, a
  // statement that failed because the connection broke (e.g. the server restarted) is retried
  // once on a fresh connection. `waited` (pool wait) is recorded on the span when > 0.
  Result<Rows> run(const telemetry::Context& parent, Connection& connection,
                   std::string_view operation, std::string_view table, const std::string& sql,
                   const Params& params, std::chrono::nanoseconds waited = {}) const;

 private:
  QueryTracer tracer_;
  PostgresTarget target_;
};

// A pool for `options` whose first connection ran `schema` (several statements) while
// holding a cluster-wide advisory lock, so processes starting together create and seed once.
Result<std::unique_ptr<Pool>> open_pool(const PostgresRepositoryOptions& options,
                                        const std::string& schema);

// The created_at column as ISO 8601 in UTC with milliseconds, as the SQLite repositories
// write it ("2026-01-31T12:00:00.123Z").
inline constexpr const char* kCreatedAtIso =
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

// A cheap round trip for /health: SELECT 1 on a pooled connection (reconnecting a broken one).
Status ping(Pool& pool);
// The pool's figures in the form the repository interfaces report them.
storage::PoolStats storage_stats(const Pool& pool);

// Text parameters.
inline std::string param(std::int64_t value) { return std::to_string(value); }

}  // namespace tdemo::storage::pg
