// Database spans for every query, per the OpenTelemetry database semantic conventions, plus the
// demo's slow-query knob (a share of queries made artificially slow, holding the connection).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "storage/result.h"
#include "telemetry/context.h"
#include "telemetry/span.h"
#include "telemetry/tracer.h"

namespace tdemo::storage {

// The slow-query knob. delay 0 or rate 0 turns it off (the default).
struct SlowQueryKnob {
  std::chrono::milliseconds delay{0};
  double rate = 0.0;  // share of queries delayed, in [0, 1]
};

// Starts CLIENT spans named "{db.operation.name} {table}" (e.g. "SELECT users") with
// db.system.name, db.operation.name, db.collection.name, db.query.text (the parameterised
// SQL, never values) and db.namespace. Immutable after construction; thread-safe.
class QueryTracer {
 public:
  QueryTracer() = default;  // a no-op tracer
  QueryTracer(telemetry::Tracer tracer, std::string system_name, std::string db_namespace,
              SlowQueryKnob slow = {})
      : tracer_(std::move(tracer)), system_(std::move(system_name)),
        namespace_(std::move(db_namespace)), slow_(slow) {}

  telemetry::Span start(const telemetry::Context& parent, std::string_view operation,
                        std::string_view table, std::string_view sql) const;
  // Sleeps when the slow-query knob picks this query (marks the span db.slow_query=true).
  void maybe_delay(telemetry::Span& span) const;
  // Sets the span's status from `error` (ERROR with error.type) and ends it.
  static void finish(telemetry::Span& span, const Error* error);
  // Records how long the caller waited for a pooled connection (db.client.connection.wait_ms).
  static void record_pool_wait(telemetry::Span& span, std::chrono::nanoseconds waited);

 private:
  telemetry::Tracer tracer_;
  std::string system_ = "sqlite";
  std::string namespace_;
  SlowQueryKnob slow_;
};

}  // namespace tdemo::storage
