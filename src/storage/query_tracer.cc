#include "storage/query_tracer.h"

#include <random>
#include <thread>

namespace tdemo::storage {
namespace {

double random_unit() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

telemetry::Span QueryTracer::start(const telemetry::Context& parent, std::string_view operation,
                                   std::string_view table, std::string_view sql) const {
  // No span can record (no provider, OTEL_SDK_DISABLED): the parent's context goes on, and the
  // name and attributes are not built.
  if (!tracer_.may_record()) return tracer_.start_span({}, parent, {});
  // Keys and values in reused buffers (append_text_attribute), the name in this thread's.
  thread_local std::string name;
  name.assign(operation).append(" ").append(table);
  telemetry::StartSpanOptions options;
  options.kind = telemetry::SpanKind::kClient;
  auto& a = options.attributes = telemetry::take_attribute_list(5);
  telemetry::append_text_attribute(a, "db.system.name", system_);
  telemetry::append_text_attribute(a, "db.operation.name", operation);
  telemetry::append_text_attribute(a, "db.collection.name", table);
  telemetry::append_text_attribute(a, "db.query.text", sql);
  telemetry::append_text_attribute(a, "db.namespace", namespace_);
  return tracer_.start_span(name, parent, std::move(options));
}

void QueryTracer::maybe_delay(telemetry::Span& span) const {
  if (slow_.delay.count() <= 0 || slow_.rate <= 0.0) return;
  if (slow_.rate < 1.0 && random_unit() >= slow_.rate) return;
  span.set_attribute("db.slow_query", true);
  span.add_event("db.slow_query.injected",
                 {{"delay_ms", telemetry::attribute(static_cast<std::int64_t>(slow_.delay.count()))}});
  std::this_thread::sleep_for(slow_.delay);
}

void QueryTracer::finish(telemetry::Span& span, const Error* error) {
  // A lookup that finds no row is an answer, not a failed query: the span stays UNSET so
  // normal paths (e.g. a new Idempotency-Key) do not show up as errors.
  if (error && error->code == ErrorCode::kNotFound) {
    span.set_attribute("db.response.returned_rows", std::int64_t{0});
  } else if (error) {
    span.set_attribute("error.type", std::string(to_string(error->code)));
    span.set_status(telemetry::StatusCode::kError, error->message);
  }
  span.end();
}

void QueryTracer::record_pool_wait(telemetry::Span& span, std::chrono::nanoseconds waited) {
  span.set_attribute("db.client.connection.wait_ms",
                     std::chrono::duration<double, std::milli>(waited).count());
}

}  // namespace tdemo::storage
