// The Jaeger Thrift-over-HTTP exporter end to end, into the real `tracing-demo traces` process
// (its Jaeger Thrift port serves POST /api/traces like Jaeger's collector on 14268) and out of its
// Jaeger query API:
//  - JaegerThriftExporter with the store's endpoint: a two-service trace comes back with its
//    references, tags, logs and processes;
//  - a Telemetry configured the seed's way (JAEGER_HOST + JAEGER_PORT=14268) builds a batching
//    Jaeger Thrift pipeline; pointed at the store (tests run in parallel, so the store listens
//    on a free port, not 14268), its spans arrive;
//  - when 14268 itself is free: a `tracing-demo users` process started with JAEGER_HOST=127.0.0.1
//    JAEGER_PORT=14268 and nothing else reaches a store listening there (skipped otherwise).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"
#include "support/trace_store_process.h"
#include "telemetry/jaeger/thrift_exporter.h"
#include "telemetry/telemetry.h"
#include "tracestore/test_spans.h"

namespace tdemo {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::uint64_t kMs = 1'000'000ULL;

json::value get_json(const std::string& url) {
  const auto r = test::http_get(url);
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (r.status != 200 || ec) {
    ADD_FAILURE() << url << ": " << r.status << " " << r.body;
    return json::object{};
  }
  return v;
}

// The traces of `service` in the store, polled until `done(traces)` or 20 s pass.
template <class Done>
json::array traces_until(const test::TraceStoreProcess& store, const std::string& service, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  json::array data;
  while (std::chrono::steady_clock::now() < deadline) {
    const json::value v = get_json(store.ui() + "/api/traces?service=" + service + "&lookback=1h");
    if (const auto* d = v.as_object().if_contains("data")) data = d->as_array();
    if (done(data)) break;
    std::this_thread::sleep_for(50ms);
  }
  return data;
}

// The traces of `service` in the store, polled until there are `count` spans or 20 s pass.
json::array traces_of(const test::TraceStoreProcess& store, const std::string& service,
                      std::size_t count) {
  return traces_until(store, service, [count](const json::array& data) {
    std::size_t spans = 0;
    for (const auto& t : data) spans += t.at("spans").as_array().size();
    return spans >= count;
  });
}

// The value of tag `key` in a Jaeger JSON tag list; null when absent.
const json::value* tag_value(const json::value& tags, std::string_view key) {
  for (const auto& t : tags.as_array()) {
    if (t.at("key").as_string() == key) return &t.at("value");
  }
  return nullptr;
}

const json::object& span_named(const json::object& trace, std::string_view name) {
  for (const auto& s : trace.at("spans").as_array()) {
    if (s.at("operationName").as_string() == name) return s.as_object();
  }
  ADD_FAILURE() << "no span " << name << " in " << json::serialize(trace);
  static const json::object kNone;
  return kNone;
}

std::string service_of(const json::object& trace, const json::object& span) {
  return std::string(
      trace.at("processes").at(span.at("processID").as_string()).at("serviceName").as_string());
}

TEST(JaegerExporter, ExportsATwoServiceTraceTheStoreServesBack) {
  test::TraceStoreProcess store(TD_BINARY);
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  ASSERT_TRUE(store.serves_jaeger_thrift()) << store.process->stdout_text();
  using tracestore::testing::resource;
  using tracestore::testing::span;
  const std::uint64_t t0 = test::now_unix_ns() - 50 * kMs;
  auto root = span(41, 1, 0, "GET /checkout", resource("gateway"), t0, 20 * kMs);
  root.attributes = {{"http.route", std::string("/checkout")},
                     {"http.response.status_code", std::int64_t{200}}};
  auto child = span(41, 2, 1, "SELECT users", resource("users"), t0 + kMs, 10 * kMs);
  child.kind = telemetry::SpanKind::kClient;
  child.status_code = telemetry::StatusCode::kError;
  child.status_message = "boom";
  child.events.push_back({"exception", t0 + 2 * kMs, {{"exception.type", std::string("Boom")}}, 0});
  child.links.push_back({telemetry::SpanContext(tracestore::testing::trace_id(40),
                                                tracestore::testing::span_id(9), 1, true),
                         {},
                         0});
  telemetry::SpanBatch batch;
  batch.push_back(std::make_unique<telemetry::SpanData>(root));
  batch.push_back(std::make_unique<telemetry::SpanData>(child));

  telemetry::jaeger::JaegerThriftExporterOptions options;
  options.endpoint = store.jaeger_endpoint();
  std::string log;
  options.log = [&log](std::string_view line) { log += std::string(line) + "\n"; };
  telemetry::jaeger::JaegerThriftExporter exporter(options);
  ASSERT_EQ(exporter.export_spans(batch), telemetry::ExportResult::kSuccess) << log;

  const json::value answer = get_json(store.ui() + "/api/traces/" + test::trace_hex(41));
  ASSERT_EQ(answer.at("data").as_array().size(), 1u) << json::serialize(answer);
  const json::object& trace = answer.at("data").as_array()[0].as_object();
  ASSERT_EQ(trace.at("spans").as_array().size(), 2u);
  const json::object& server = span_named(trace, "GET /checkout");
  const json::object& client = span_named(trace, "SELECT users");
  EXPECT_EQ(service_of(trace, server), "gateway");
  EXPECT_EQ(service_of(trace, client), "users");
  EXPECT_EQ(server.at("startTime").as_int64(), static_cast<std::int64_t>(t0 / 1000));
  EXPECT_EQ(server.at("duration").as_int64(), 20'000);
  ASSERT_NE(tag_value(server.at("tags"), "span.kind"), nullptr);
  EXPECT_EQ(*tag_value(server.at("tags"), "span.kind"), "server");
  EXPECT_EQ(*tag_value(server.at("tags"), "http.route"), "/checkout");
  EXPECT_EQ(*tag_value(server.at("tags"), "http.response.status_code"), 200);
  EXPECT_EQ(*tag_value(server.at("tags"), "otel.scope.name"), "tdemo");

  const json::array& references = client.at("references").as_array();
  ASSERT_EQ(references.size(), 2u) << json::serialize(client);
  EXPECT_EQ(references[0].at("refType"), "CHILD_OF");
  EXPECT_EQ(references[0].at("spanID"), server.at("spanID"));
  EXPECT_EQ(references[1].at("refType"), "FOLLOWS_FROM");
  EXPECT_EQ(references[1].at("spanID"), "0000000000000009");
  ASSERT_NE(tag_value(client.at("tags"), "error"), nullptr) << json::serialize(client);
  EXPECT_EQ(*tag_value(client.at("tags"), "error"), true);
  EXPECT_EQ(*tag_value(client.at("tags"), "otel.status_description"), "boom");
  EXPECT_EQ(*tag_value(client.at("tags"), "span.kind"), "client");
  const json::array& logs = client.at("logs").as_array();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(*tag_value(logs[0].at("fields"), "event"), "exception");
  EXPECT_EQ(*tag_value(logs[0].at("fields"), "exception.type"), "Boom");
  const json::value& process = trace.at("processes").at(client.at("processID").as_string());
  EXPECT_EQ(*tag_value(process.at("tags"), "host.name"), "box-1");
}

// The environment the seed's services were deployed with.
telemetry::EnvironmentLookup seed_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    if (name == "JAEGER_HOST") return "127.0.0.1";
    if (name == "JAEGER_PORT") return "14268";
    if (name == "SERVICE_NAME") return "seed-service";
    if (name == "OTEL_BSP_SCHEDULE_DELAY") return "50";
    return std::nullopt;
  };
}

TEST(JaegerExporter, TelemetryConfiguredWithJaegerPort14268BatchesToTheStore) {
  telemetry::TelemetryConfig config =
      telemetry::config_from_environment("users", seed_environment());
  ASSERT_EQ(config.exporter, telemetry::ExporterKind::kJaegerThrift);
  ASSERT_EQ(config.endpoint, "http://127.0.0.1:14268/api/traces");
  EXPECT_TRUE(config.warnings.empty());
  {
    telemetry::Telemetry as_configured(config);
    const auto stats = as_configured.stats();
    EXPECT_EQ(stats.exporter, "jaeger thrift http://127.0.0.1:14268/api/traces");
    EXPECT_EQ(stats.queue_capacity, 2048u);  // a BatchSpanProcessor in front of it
  }                                          // nothing was recorded: nothing is sent

  test::TraceStoreProcess store(TD_BINARY);
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  ASSERT_TRUE(store.serves_jaeger_thrift()) << store.process->stdout_text();
  config.endpoint = store.jaeger_endpoint();  // the only change: the store's free port
  telemetry::Telemetry telemetry(config);
  EXPECT_EQ(telemetry.stats().exporter, "jaeger thrift " + store.jaeger_endpoint());
  telemetry::Tracer tracer = telemetry.tracer();
  telemetry::StartSpanOptions server_kind, client_kind;
  server_kind.kind = telemetry::SpanKind::kServer;
  client_kind.kind = telemetry::SpanKind::kClient;
  telemetry::Span root = tracer.start_span("GET /users/{id}", telemetry::Context{}, server_kind);
  root.set_attribute("http.route", telemetry::attribute("/users/{id}"));
  telemetry::Span query = tracer.start_span(
      "SELECT users", telemetry::context_with(telemetry::Context{}, root), client_kind);
  query.end();
  root.end();
  ASSERT_TRUE(telemetry.force_flush(10s));
  const auto stats = telemetry.stats();
  EXPECT_EQ(stats.spans_exported, 2u);
  EXPECT_EQ(stats.export_failures, 0u);

  const json::array traces = traces_of(store, "seed-service", 2);
  ASSERT_EQ(traces.size(), 1u);
  const json::object& trace = traces[0].as_object();
  ASSERT_EQ(trace.at("spans").as_array().size(), 2u);
  const json::object& server = span_named(trace, "GET /users/{id}");
  const json::object& client = span_named(trace, "SELECT users");
  EXPECT_EQ(client.at("references").as_array()[0].at("spanID"), server.at("spanID"));
  EXPECT_EQ(*tag_value(server.at("tags"), "http.route"), "/users/{id}");
  const json::value& process = trace.at("processes").at(server.at("processID").as_string());
  EXPECT_EQ(*tag_value(process.at("tags"), "telemetry.sdk.name"), "tracing-demo");
}

TEST(JaegerExporter, ServiceStartedWithJaegerPort14268ReachesAStoreThere) {
  test::TraceStoreProcess store(TD_BINARY, {.extra_args = {}, .jaeger_port = 14268});
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  if (!store.serves_jaeger_thrift()) {
    GTEST_SKIP() << "port 14268 is taken on this machine (another trace store or a Jaeger)";
  }
  const std::string data_dir =
      ::testing::TempDir() + "jaeger_exporter_" + std::to_string(::getpid());
  std::filesystem::remove_all(data_dir);
  const std::uint16_t port = test::free_port();
  test::ProcessOptions options;
  options.args = {"users",        "--port", std::to_string(port), "--data-dir", data_dir,
                  "--io-threads", "1"};
  options.env = {
      {"JAEGER_HOST", "127.0.0.1"}, {"JAEGER_PORT", "14268"}, {"OTEL_BSP_SCHEDULE_DELAY", "100"}};
  options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER",
                       "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"};
  test::Process users(TD_BINARY, options);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(test::wait_for_http(url + "/openapi.json", 30s)) << users.stderr_text();

  const json::value health = get_json(url + "/health");
  EXPECT_EQ(health.at("telemetry").at("exporter"),
            "jaeger thrift http://127.0.0.1:14268/api/traces");
  const auto user = test::http_get(url + "/users/1");
  EXPECT_LT(user.status, 500) << user.body;

  // The service's first spans (the readiness probes' requests) may be stored before the
  // batch holding GET /users/1: wait for that span itself.
  const auto has_users_server_span = [](const json::array& traces) {
    for (const auto& t : traces) {
      for (const auto& s : t.at("spans").as_array()) {
        const json::value* kind = tag_value(s.at("tags"), "span.kind");
        if (kind != nullptr && *kind == "server" &&
            s.at("operationName").as_string().find("/users") != json::string::npos) {
          return true;
        }
      }
    }
    return false;
  };
  const json::array traces = traces_until(store, "user-service", has_users_server_span);
  ASSERT_FALSE(traces.empty()) << users.stderr_text();
  const bool found_server = has_users_server_span(traces);
  EXPECT_TRUE(found_server) << json::serialize(traces);
  EXPECT_EQ(users.terminate(20s), 0);
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace tdemo
