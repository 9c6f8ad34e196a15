// Sample span batches for the OTLP tests and benchmarks (no gtest dependency).
#include <limits>

#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp::testing {
namespace {

TraceId trace_id(std::uint8_t seed) {
  TraceId id;
  for (std::size_t i = 0; i < 16; ++i) id.bytes[i] = static_cast<std::uint8_t>(seed * 17 + i);
  return id;
}

SpanId span_id(std::uint8_t seed) {
  SpanId id;
  for (std::size_t i = 0; i < 8; ++i) id.bytes[i] = static_cast<std::uint8_t>(seed * 31 + i + 1);
  return id;
}

std::unique_ptr<SpanData> span(std::shared_ptr<const Resource> r, std::shared_ptr<const InstrumentationScope> s,
                               std::uint8_t seed, std::string name) {
  auto d = std::make_unique<SpanData>();
  d->context = SpanContext(trace_id(seed), span_id(seed), kTraceFlagSampled, false);
  d->name = std::move(name);
  d->start_time_unix_nano = 1'700'000'000'000'000'000ull + seed;
  d->end_time_unix_nano = d->start_time_unix_nano + 1'234'567;
  d->resource = std::move(r);
  d->scope = std::move(s);
  return d;
}

}  // namespace

SpanBatch full_batch() {
  auto r1 = std::make_shared<Resource>();
  r1->attributes = {{"service.name", attribute("checkout")}, {"process.pid", attribute(4242)},
                    {"host.name", attribute("box-1")}};
  r1->schema_url = "https://opentelemetry.io/schemas/1.24.0";
  auto r2 = std::make_shared<Resource>();
  r2->attributes = {{"service.name", attribute("payments")}};
  auto s1 = std::make_shared<InstrumentationScope>(InstrumentationScope{"tracing-demo", "0.1.0", "https://example.com/s"});
  auto s2 = std::make_shared<InstrumentationScope>(InstrumentationScope{"db", "", ""});
  auto s3 = std::make_shared<InstrumentationScope>(InstrumentationScope{"http", "1.2", ""});

  SpanBatch batch;
  auto a = span(r1, s1, 1, "GET /users/{id}");
  a->kind = SpanKind::kServer;
  a->parent_span_id = span_id(99);
  a->parent_is_remote = true;
  a->context = SpanContext(a->context.trace_id(), a->context.span_id(), 0x03, false,
                           std::make_shared<const TraceState>(std::vector<TraceState::Entry>{{"vendor", "abc"}, {"x@y", "1=2"}}));
  a->attributes = {
      {"str", attribute("plain")},
      {"escape", attribute("quote\" backslash\\ nl\n tab\t ctl\x01 unicode é 🚀")},
      {"empty", attribute("")},
      {"t", attribute(true)},
      {"f", attribute(false)},
      {"zero", attribute(0)},
      {"neg", AttributeValue(std::numeric_limits<std::int64_t>::min())},
      {"max", AttributeValue(std::numeric_limits<std::int64_t>::max())},
      {"pi", attribute(3.141592653589793)},
      {"tiny", attribute(5e-324)},
      {"nan", attribute(std::numeric_limits<double>::quiet_NaN())},
      {"inf", attribute(std::numeric_limits<double>::infinity())},
      {"ninf", attribute(-std::numeric_limits<double>::infinity())},
      {"strs", AttributeValue(std::vector<std::string>{"a", "", "c\"d"})},
      {"bools", AttributeValue(std::vector<bool>{true, false, true})},
      {"ints", AttributeValue(std::vector<std::int64_t>{1, -2, 0, 1LL << 40})},
      {"doubles", AttributeValue(std::vector<double>{1.5, -0.25, 0.0})},
      {"none", AttributeValue(std::vector<std::string>{})},
  };
  a->dropped_attributes_count = 3;
  a->events = {Event{"exception", a->start_time_unix_nano + 10,
                     {{"exception.type", attribute("std::runtime_error")}, {"exception.message", attribute("boom")}}, 2},
               Event{"bare", a->start_time_unix_nano + 20, {}, 0}};
  a->dropped_events_count = 4;
  a->links = {Link{SpanContext(trace_id(7), span_id(7), 0x01, true,
                               std::make_shared<const TraceState>(std::vector<TraceState::Entry>{{"k", "v"}})),
                   {{"link.kind", attribute("follows")}}, 1},
              Link{SpanContext(trace_id(8), span_id(8), 0x00, false), {}, 0}};
  a->dropped_links_count = 5;
  a->status_code = StatusCode::kError;
  a->status_message = "User 42 not found";
  batch.push_back(std::move(a));

  auto b = span(r1, s2, 2, "SELECT users");
  b->kind = SpanKind::kClient;
  b->parent_span_id = span_id(1);
  b->status_code = StatusCode::kOk;
  b->attributes = {{"db.system", attribute("sqlite")}};
  batch.push_back(std::move(b));

  auto c = span(r2, s3, 3, "");  // empty name
  c->kind = SpanKind::kProducer;
  batch.push_back(std::move(c));

  auto d = span(r1, s1, 4, "internal");  // back to the first resource and scope
  d->kind = SpanKind::kInternal;
  batch.push_back(std::move(d));

  auto e = span(r2, s3, 5, "consume");
  e->kind = SpanKind::kConsumer;
  e->status_code = StatusCode::kUnset;
  e->status_message = "";
  batch.push_back(std::move(e));
  return batch;
}

SpanBatch realistic_batch(std::size_t count) {
  auto resource = std::make_shared<Resource>();
  resource->attributes = {{"service.name", attribute("gateway")}, {"service.version", attribute("0.1.0")},
                          {"telemetry.sdk.name", attribute("tracing-demo")}, {"host.name", attribute("demo-host")},
                          {"process.pid", attribute(1234)}};
  auto scope = std::make_shared<InstrumentationScope>(InstrumentationScope{"tracing-demo", "0.1.0", ""});
  SpanBatch batch;
  batch.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto d = span(resource, scope, static_cast<std::uint8_t>(i % 250 + 1), "GET /api/orders/{id}");
    d->kind = SpanKind::kServer;
    d->parent_span_id = span_id(static_cast<std::uint8_t>(i % 7 + 1));
    d->attributes = {{"http.request.method", attribute("GET")},
                     {"http.route", attribute("/api/orders/{id}")},
                     {"url.path", attribute("/api/orders/" + std::to_string(1000 + i))},
                     {"http.response.status_code", attribute(200)},
                     {"server.address", attribute("127.0.0.1")},
                     {"server.port", attribute(8000)},
                     {"user_agent.original", attribute("tracing-demo-loadgen/0.1")},
                     {"orders.cache_hit", attribute(i % 2 == 0)}};
    d->events = {Event{"order.loaded", d->start_time_unix_nano + 500, {{"order.items", attribute(3)}}, 0}};
    batch.push_back(std::move(d));
  }
  return batch;
}

}  // namespace tdemo::telemetry::otlp::testing
