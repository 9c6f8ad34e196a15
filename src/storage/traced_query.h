// Runs one prepared statement inside its DB span. Header-only helper for the repositories.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "storage/query_tracer.h"
#include "storage/sqlite.h"

namespace tdemo::storage {

// Prepares (or reuses) `sql` on `db`, calls `body(Statement&)` which binds, steps and returns
// a Result, and records it all in a span: "{operation} {table}". `waited` is how long the
// caller waited for the connection (recorded on the span). Returns body's result.
template <class Body>
auto traced_query(const QueryTracer& tracer, const telemetry::Context& parent, Database& db,
                  std::string_view operation, std::string_view table, const std::string& sql,
                  std::chrono::nanoseconds waited, Body&& body)
    -> decltype(body(std::declval<Statement&>())) {
  auto span = tracer.start(parent, operation, table, sql);
  if (waited.count() > 0) QueryTracer::record_pool_wait(span, waited);
  tracer.maybe_delay(span);
  auto statement = db.prepare(sql);
  if (!statement.ok()) {
    QueryTracer::finish(span, &statement.error());
    return statement.error();
  }
  auto result = body(*statement.value());
  statement.value()->reset();
  QueryTracer::finish(span, result.ok() ? nullptr : &result.error());
  return result;
}

}  // namespace tdemo::storage
