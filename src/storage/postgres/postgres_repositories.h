// The PostgreSQL implementations of the services' repositories (issue 7), selected by
// DATABASE_URL=postgresql://user:password@host:port/database. Same interfaces and semantics
// as the SQLite ones (see user_repository.h, order_repository.h, payment_repository.h): the
// conformance suite in this folder runs against both.
//
// Each service creates its own tables on start (idempotent; concurrent starts serialise on an
// advisory lock, so the demo users are seeded once). Every query is a prepared statement with
// bound parameters on a pooled connection, traced as a CLIENT span with
// db.system.name=postgresql, db.namespace (the database), db.operation.name,
// db.collection.name, db.query.text ($1-style, never values), server.address, server.port.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/order_repository.h"
#include "storage/payment_repository.h"
#include "storage/query_tracer.h"
#include "storage/result.h"
#include "storage/user_repository.h"
#include "telemetry/tracer.h"

namespace tdemo::storage {

struct PostgresRepositoryOptions {
  std::string url;  // postgresql://user:password@host:port/database
  std::size_t pool_size = 4;                           // the SQLite pool's knob (PoolOptions::size)
  std::chrono::milliseconds acquire_timeout{5000};     // wait for a pooled connection
  std::chrono::milliseconds connect_timeout{2000};     // per connection attempt (libpq: >= 2 s)
  std::chrono::milliseconds statement_timeout{5000};   // server-side, per statement
  SlowQueryKnob slow_query;
};

// Where a URL points (for span attributes and error messages; never the password).
struct PostgresTarget {
  std::string host = "localhost";
  std::int64_t port = 5432;
  std::string database;
  std::string user;
};

// Accepts postgresql:// and postgres:// URLs; kInvalid with a reason otherwise.
Result<PostgresTarget> parse_postgres_url(std::string_view url);

// Each opens a pool (connecting once, creating the schema); kBusy when the server cannot be
// reached, kInvalid for a bad URL. DB spans go to `tracer`.
Result<std::unique_ptr<UserRepository>> make_postgres_user_repository(
    const PostgresRepositoryOptions& options, telemetry::Tracer tracer);
Result<std::unique_ptr<OrderRepository>> make_postgres_order_repository(
    const PostgresRepositoryOptions& options, telemetry::Tracer tracer);
Result<std::unique_ptr<PaymentRepository>> make_postgres_payment_repository(
    const PostgresRepositoryOptions& options, telemetry::Tracer tracer);

}  // namespace tdemo::storage
