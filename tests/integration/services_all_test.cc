// `tracing-demo all` end to end: every endpoint and error of the gateway, and the traces the
// four services export (captured by an OTLP/HTTP receiver in this test process).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "http/router.h"
#include "http/server.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/span_capture.h"
#include "telemetry/otlp/decoder.h"

namespace tdemo {
namespace {

using test::http_get;
using test::http_post;
using test::http_request;

using test::SpanCapture;

std::string attribute_text(const telemetry::SpanData& span, const std::string& key) {
  for (const auto& kv : span.attributes) {
    if (kv.key == key) return telemetry::to_display_string(kv.value);
  }
  return {};
}

// Every string a span carries (name, attributes, events, status), to scan for secrets.
std::string everything_in(const telemetry::SpanData& span) {
  std::string out = span.name + " " + span.status_message;
  for (const auto& kv : span.attributes) out += " " + kv.key + "=" + telemetry::to_display_string(kv.value);
  for (const auto& event : span.events) {
    out += " " + event.name;
    for (const auto& kv : event.attributes) out += " " + kv.key + "=" + telemetry::to_display_string(kv.value);
  }
  return out;
}

boost::json::value json_of(const test::HttpResponse& response) {
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body, ec);
  return ec ? boost::json::value(nullptr) : value;
}

constexpr const char* kCard = "4242424242424242";
constexpr const char* kDeclinedCard = "4000000000000002";

class ServicesAllTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    capture_ = new SpanCapture();
    data_dir_ = ::testing::TempDir() + "services_all_" + std::to_string(::getpid());
    std::filesystem::remove_all(data_dir_);
    const auto base = test::free_port_range(4);
    base_url_ = "http://127.0.0.1:" + std::to_string(base);
    test::ProcessOptions options;
    options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", data_dir_,
                    "--payment-decline-rate", "0", "--io-threads", "2"};
    options.env = {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(capture_->port())},
                   {"OTEL_BSP_SCHEDULE_DELAY", "100"},
                   {"LOG_LEVEL", "info"}};
    options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED"};
    process_ = new test::Process(TD_BINARY, options);
    ASSERT_TRUE(test::wait_for_http(base_url_ + "/health", std::chrono::seconds(30)))
        << process_->stderr_text();
  }
  static void TearDownTestSuite() {
    if (process_) {
      EXPECT_EQ(process_->terminate(std::chrono::seconds(20)), 0) << process_->stderr_text();
      const std::string logs = process_->stdout_text() + process_->stderr_text();
      EXPECT_EQ(logs.find(kCard), std::string::npos) << "a card number reached the logs";
      EXPECT_EQ(logs.find(kDeclinedCard), std::string::npos);
    }
    delete process_;
    process_ = nullptr;
    delete capture_;
    capture_ = nullptr;
    std::filesystem::remove_all(data_dir_);
  }

  static std::string url(const std::string& path) { return base_url_ + path; }

  // Creates an order for user 1 and returns its id.
  static std::int64_t create_order(double amount) {
    auto response = http_post(url("/orders"), boost::json::serialize(boost::json::object{{"user_id", 1}, {"amount", amount}}));
    EXPECT_EQ(response.status, 201) << response.body;
    return json_of(response).as_object().at("id").as_int64();
  }

  static std::string payment_body(std::int64_t order_id, double amount, const char* card) {
    return boost::json::serialize(boost::json::object{{"order_id", order_id}, {"amount", amount}, {"card_number", card}});
  }

  static inline SpanCapture* capture_ = nullptr;
  static inline test::Process* process_ = nullptr;
  static inline std::string base_url_;
  static inline std::string data_dir_;
};

TEST_F(ServicesAllTest, TheSeedsCurlCommandCreatesAnOrder) {
  // curl -X POST http://localhost:8000/orders -H "Content-Type: application/json"
  //      -d '{"user_id": 1, "amount": 99.99}'
  auto response = http_post(url("/orders"), R"({"user_id": 1, "amount": 99.99})",
                            {{"Content-Type", "application/json"}});
  ASSERT_EQ(response.status, 201) << response.body;
  auto order = json_of(response).as_object();
  EXPECT_EQ(order.at("user_id").as_int64(), 1);
  EXPECT_DOUBLE_EQ(order.at("amount").to_number<double>(), 99.99);
  EXPECT_EQ(order.at("status").as_string(), "created");
  EXPECT_NE(response.body.find("99.99"), std::string::npos) << response.body;
  auto fetched = http_get(url("/orders/" + std::to_string(order.at("id").as_int64())));
  EXPECT_EQ(fetched.status, 200);
}

TEST_F(ServicesAllTest, UsersEndpointsAndErrors) {
  auto user = http_get(url("/users/1"));
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(json_of(user).as_object().at("id").as_int64(), 1);

  auto missing = http_get(url("/users/4242"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"detail":"User 4242 not found"})");

  auto not_int = http_get(url("/users/abc"));
  ASSERT_EQ(not_int.status, 422);
  auto detail = json_of(not_int).as_object().at("detail").as_array();
  EXPECT_EQ(boost::json::serialize(detail[0].as_object().at("loc")), R"(["path","user_id"])");

  auto created = http_post(url("/users"), R"({"name": "Grace Hopper", "email": "grace@example.com"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto duplicate = http_post(url("/users"), R"({"name": "Grace 2", "email": "GRACE@example.com"})");
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;

  auto bad_email = http_post(url("/users"), R"({"name": "X", "email": "not-an-email"})");
  ASSERT_EQ(bad_email.status, 422);
  auto issue = json_of(bad_email).as_object().at("detail").as_array()[0].as_object();
  EXPECT_EQ(boost::json::serialize(issue.at("loc")), R"(["body","email"])");
  EXPECT_EQ(issue.at("type").as_string(), "value_error");

  auto no_name = http_post(url("/users"), R"({"email": "n@example.com"})");
  ASSERT_EQ(no_name.status, 422);
  EXPECT_EQ(json_of(no_name).as_object().at("detail").as_array()[0].as_object().at("type").as_string(), "missing");

  auto long_name = http_post(url("/users"), boost::json::serialize(boost::json::object{
                                                {"name", std::string(101, 'a')}, {"email", "l@example.com"}}));
  EXPECT_EQ(long_name.status, 422);

  auto invalid_json = http_post(url("/users"), R"({"name": )");
  ASSERT_EQ(invalid_json.status, 422);
  EXPECT_NE(invalid_json.body.find("json_invalid"), std::string::npos) << invalid_json.body;

  auto wrong_type = http_post(url("/users"), "name=x", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.status, 415);

  EXPECT_EQ(http_request("DELETE", url("/users/1")).status, 405);
  EXPECT_EQ(http_get(url("/no/such/path")).status, 404);
  auto too_big = http_post(url("/users"), std::string(2 << 20, ' '));
  EXPECT_EQ(too_big.status, 413);
}

TEST_F(ServicesAllTest, OrderValidation) {
  const struct { const char* body; int status; const char* type; } cases[] = {
      {R"({"user_id": 1, "amount": 0})", 422, "greater_than"},
      {R"({"user_id": 1, "amount": 1.005})", 422, "decimal_max_places"},
      {R"({"user_id": "x", "amount": 5})", 422, "int_parsing"},
      {R"({"amount": 5})", 422, "missing"},
      {R"({"user_id": 1, "amount": 5, "items": "book"})", 422, "list_type"},
      {R"({"user_id": 999999, "amount": 5})", 404, ""},
  };
  for (const auto& c : cases) {
    auto response = http_post(url("/orders"), c.body);
    EXPECT_EQ(response.status, c.status) << c.body << " -> " << response.body;
    if (*c.type) {
      EXPECT_NE(response.body.find(c.type), std::string::npos) << response.body;
    }
  }
  EXPECT_EQ(http_get(url("/orders/987654")).status, 404);
}

TEST_F(ServicesAllTest, PaymentsValidateDeclineAndReplay) {
  const auto order_id = create_order(25.50);
  auto wrong_amount = http_post(url("/payments"), payment_body(order_id, 10.00, kCard));
  EXPECT_EQ(wrong_amount.status, 422) << wrong_amount.body;
  auto bad_card = http_post(url("/payments"), payment_body(order_id, 25.50, "4242424242424241"));
  ASSERT_EQ(bad_card.status, 422);
  EXPECT_EQ(bad_card.body.find("424242424242"), std::string::npos) << bad_card.body;
  EXPECT_EQ(http_post(url("/payments"), payment_body(987654, 1.00, kCard)).status, 404);

  auto declined = http_post(url("/payments"), payment_body(order_id, 25.50, kDeclinedCard));
  ASSERT_EQ(declined.status, 402) << declined.body;
  EXPECT_NE(declined.body.find("declined"), std::string::npos);
  EXPECT_EQ(declined.body.find(kDeclinedCard), std::string::npos);

  const test::HeaderList key = {{"Idempotency-Key", "test-key-" + std::to_string(order_id)}};
  auto first = http_post(url("/payments"), payment_body(order_id, 25.50, kCard), key);
  ASSERT_EQ(first.status, 201) << first.body;
  auto payment = json_of(first).as_object();
  EXPECT_EQ(payment.at("card").as_string(), "****4242");
  EXPECT_EQ(payment.at("status").as_string(), "completed");
  EXPECT_EQ(first.body.find(kCard), std::string::npos);

  auto retry = http_post(url("/payments"), payment_body(order_id, 25.50, kCard), key);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(json_of(retry).as_object().at("id"), payment.at("id"));
  EXPECT_EQ(retry.header("Idempotent-Replayed"), "true");

  auto other_key = http_post(url("/payments"), payment_body(order_id, 25.50, kCard),
                             {{"Idempotency-Key", "another-key"}});
  EXPECT_EQ(other_key.status, 409) << other_key.body;
  auto order = json_of(http_get(url("/orders/" + std::to_string(order_id)))).as_object();
  EXPECT_EQ(order.at("status").as_string(), "paid");
  EXPECT_EQ(order.at("payment_id"), payment.at("id"));
}

TEST_F(ServicesAllTest, ConcurrentRetriesChargeOnce) {
  const auto order_id = create_order(12.34);
  const test::HeaderList key = {{"Idempotency-Key", "concurrent-" + std::to_string(order_id)}};
  std::mutex mutex;
  std::set<std::string> payment_ids;
  std::map<int, int> statuses;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto response = http_post(url("/payments"), payment_body(order_id, 12.34, kCard), key);
      std::lock_guard lock(mutex);
      ++statuses[response.status];
      if (response.status == 200 || response.status == 201) {
        payment_ids.insert(boost::json::serialize(json_of(response).as_object().at("id")));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(statuses[201], 1);
  EXPECT_EQ(statuses[201] + statuses[200] + statuses[409], 6);
  EXPECT_EQ(payment_ids.size(), 1u);
}

TEST_F(ServicesAllTest, FullFlowIsOneTraceAcrossFourServices) {
  auto response = http_get(url("/demo/full-flow/2"));
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = json_of(response).as_object();
  EXPECT_EQ(body.at("result").as_string(), "completed");
  const std::string trace_id(body.at("trace_id").as_string());
  ASSERT_EQ(trace_id.size(), 32u);
  // Each step: the service's status and its answer as it was (written into the flow's answer
  // as JSON text, not parsed and written again).
  const auto& steps = body.at("steps").as_object();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps.at("user").at("status").as_int64(), 200);
  EXPECT_EQ(steps.at("user").at("body").at("id").as_int64(), 2);
  EXPECT_EQ(steps.at("order").at("status").as_int64(), 201);
  const auto& order = steps.at("order").at("body").as_object();
  EXPECT_EQ(order.at("user_id").as_int64(), 2);
  EXPECT_EQ(order.at("amount").as_double(), 99.99);
  EXPECT_EQ(steps.at("payment").at("status").as_int64(), 201);
  const auto& payment = steps.at("payment").at("body").as_object();
  EXPECT_EQ(payment.at("order_id").as_int64(), order.at("id").as_int64());
  EXPECT_EQ(payment.at("status").as_string(), "completed");
  EXPECT_NE(response.body.find(R"("amount":99.99,)"), std::string::npos) << response.body;

  auto spans = capture_->wait_for_complete_trace(trace_id, 10);
  ASSERT_GE(spans.size(), 10u);
  std::set<std::string> services;
  std::map<std::string, const telemetry::SpanData*> by_id;
  for (const auto& span : spans) {
    services.insert(std::string(span.resource->service_name()));
    by_id[span.context.span_id().hex()] = &span;
  }
  EXPECT_EQ(services, (std::set<std::string>{"gateway", "user-service", "order-service", "payment-service"}));
  // One root: the gateway's SERVER span; every other span's parent is in the trace.
  int roots = 0;
  for (const auto& span : spans) {
    if (!span.parent_span_id.valid()) {
      ++roots;
      EXPECT_EQ(span.kind, telemetry::SpanKind::kServer);
      EXPECT_EQ(span.resource->service_name(), "gateway");
      continue;
    }
    EXPECT_TRUE(by_id.count(span.parent_span_id.hex())) << span.name << " has its parent outside the trace";
  }
  EXPECT_EQ(roots, 1);
  // Every HTTP CLIENT span is the parent of exactly one SERVER span in another service.
  int http_clients = 0;
  for (const auto& client : spans) {
    if (client.kind != telemetry::SpanKind::kClient || attribute_text(client, "url.full").empty()) continue;
    ++http_clients;
    int children = 0;
    for (const auto& server : spans) {
      if (server.kind == telemetry::SpanKind::kServer && server.parent_span_id == client.context.span_id()) {
        ++children;
        EXPECT_NE(server.resource->service_name(), client.resource->service_name());
      }
    }
    EXPECT_EQ(children, 1) << client.name;
  }
  EXPECT_GE(http_clients, 5);
  bool db_span = false, authorized = false, cache_span = false;
  for (const auto& span : spans) {
    if (attribute_text(span, "db.system.name") == "sqlite") {
      db_span = true;
      EXPECT_NE(attribute_text(span, "db.query.text").find('?'), std::string::npos) << span.name;
    }
    if (span.name == "cache.get") cache_span = true;
    for (const auto& event : span.events) authorized |= event.name == "payment.authorized";
  }
  EXPECT_TRUE(db_span);
  EXPECT_TRUE(cache_span);
  EXPECT_TRUE(authorized);
}

TEST_F(ServicesAllTest, CallersTraceparentIsContinuedAndAMalformedOneIgnored) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent_id = "00f067aa0ba902b7";
  auto continued = http_get(url("/users/3"), {{"traceparent", "00-" + trace_id + "-" + parent_id + "-01"}});
  ASSERT_EQ(continued.status, 200);
  auto traceresponse = continued.header("traceresponse");
  ASSERT_TRUE(traceresponse);
  EXPECT_EQ(traceresponse->substr(3, 32), trace_id);
  auto spans = capture_->wait_for_complete_trace(trace_id, 2);
  bool gateway_server = false;
  for (const auto& span : spans) {
    if (span.kind == telemetry::SpanKind::kServer && span.resource->service_name() == "gateway") {
      gateway_server = true;
      EXPECT_EQ(span.parent_span_id.hex(), parent_id);
      EXPECT_EQ(span.name, "GET /users/{user_id}");
    }
  }
  EXPECT_TRUE(gateway_server);

  auto malformed = http_get(url("/users/3"), {{"traceparent", "00-" + trace_id + "-" + parent_id + "-0x"}});
  ASSERT_EQ(malformed.status, 200);
  auto fresh = malformed.header("traceresponse");
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->substr(3, 32), trace_id);
}

TEST_F(ServicesAllTest, DeclinedPaymentSpanIsAnErrorWithAReason) {
  const auto order_id = create_order(5.00);
  auto declined = http_post(url("/payments"), payment_body(order_id, 5.00, kDeclinedCard));
  ASSERT_EQ(declined.status, 402);
  auto traceresponse = declined.header("traceresponse");
  ASSERT_TRUE(traceresponse);
  auto spans = capture_->wait_for_complete_trace(traceresponse->substr(3, 32), 8);
  bool found = false;
  for (const auto& span : spans) {
    if (span.name != "payments.process") continue;
    found = true;
    EXPECT_EQ(span.status_code, telemetry::StatusCode::kError);
    EXPECT_NE(span.status_message.find("declined"), std::string::npos);
    bool exception = false;
    for (const auto& event : span.events) exception |= event.name == "exception";
    EXPECT_TRUE(exception);
  }
  EXPECT_TRUE(found);
}

TEST_F(ServicesAllTest, InfoHealthMetricsAndDocs) {
  auto info = http_get(url("/"));
  ASSERT_EQ(info.status, 200);
  auto knobs = json_of(info).as_object().at("knobs").as_object();
  EXPECT_DOUBLE_EQ(knobs.at("payment_decline_rate").to_number<double>(), 0.0);
  EXPECT_TRUE(knobs.contains("slow_query_delay_ms"));
  EXPECT_TRUE(knobs.contains("db_pool_size"));
  EXPECT_TRUE(knobs.contains("downstream_latency_ms"));

  auto health = http_get(url("/health"));
  ASSERT_EQ(health.status, 200) << health.body;
  auto health_body = json_of(health).as_object();
  EXPECT_EQ(health_body.at("status"), "healthy");
  EXPECT_EQ(health_body.at("service"), "gateway");
  EXPECT_EQ(health_body.at("role"), "gateway");
  EXPECT_EQ(health_body.at("version"), TD_VERSION);
  EXPECT_TRUE(health_body.at("checks").is_object());
  EXPECT_EQ(health_body.at("dependencies").as_object().size(), 3u);
  for (const char* name : {"users", "orders", "payments"}) {
    const auto& check = health_body.at("dependencies").at(name).as_object();
    EXPECT_EQ(check.at("status"), "healthy") << name;
    EXPECT_GE(check.at("checked_ms_ago").as_int64(), 0) << name;
  }
  EXPECT_GT(health_body.at("telemetry").at("queue_capacity").as_int64(), 0);
  EXPECT_TRUE(health_body.at("telemetry").as_object().contains("queue_depth"));
  EXPECT_TRUE(health_body.at("telemetry").as_object().contains("spans_dropped"));

  auto metrics = http_get(url("/metrics"));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tracing_spans_started_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("tracing_export_queue_depth"), std::string::npos);

  auto openapi = http_get(url("/openapi.json"));
  ASSERT_EQ(openapi.status, 200);
  auto document = json_of(openapi).as_object();
  EXPECT_EQ(std::string(document.at("openapi").as_string()).substr(0, 2), "3.");
  auto paths = document.at("paths").as_object();
  for (const char* path : {"/users/{user_id}", "/users", "/orders/{order_id}", "/orders", "/payments",
                           "/demo/full-flow/{user_id}", "/health"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  auto docs = http_get(url("/docs"));
  ASSERT_EQ(docs.status, 200);
  EXPECT_NE(docs.body.find("swagger-ui"), std::string::npos);
  EXPECT_EQ(http_get(url("/docs/swagger-ui.css")).status, 200);
  EXPECT_EQ(http_get(url("/docs/swagger-ui-bundle.js")).status, 200);

  test::ProcessOptions options;
  options.args = {"health", "--target", base_url_};
  test::Process check(TD_BINARY, options);
  EXPECT_EQ(check.wait_for(std::chrono::seconds(20)), 0) << check.stdout_text() << check.stderr_text();
}

// The sum of a service's /health request counts on its own /metrics page.
double health_requests(const std::string& service_url) {
  const auto page = http_get(service_url + "/metrics").body;
  double total = 0;
  for (std::size_t at = 0; (at = page.find("http_server_request_duration_seconds_count{", at)) != std::string::npos;) {
    const auto end = page.find('\n', at);
    const auto line = page.substr(at, end - at);
    at = end;
    if (line.find("route=\"/health\"") != std::string::npos) total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

TEST_F(ServicesAllTest, GatewayHealthAnswersFromDependencyResultsAtMostOneSecondOld) {
  // users listens on base+1 (`all --base-port`).
  const auto port = std::stoi(base_url_.substr(base_url_.rfind(':') + 1));
  const std::string users = "http://127.0.0.1:" + std::to_string(port + 1);
  const double before = health_requests(users);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    auto health = http_get(url("/health"));
    ASSERT_EQ(health.status, 200) << health.body;
    const auto users_check = json_of(health).at("dependencies").at("users").as_object();
    EXPECT_EQ(users_check.at("status"), "healthy");
    EXPECT_LE(users_check.at("checked_ms_ago").to_number<double>(), 1000.0 + 1.0);
  }
  const auto elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // One refresh per second at most (plus the one in flight): not one per gateway /health call.
  EXPECT_LE(health_requests(users) - before, std::ceil(elapsed_s) + 1) << "over " << elapsed_s << " s";
}

TEST_F(ServicesAllTest, NoCardNumberInAnySpan) {
  // Runs after payments with known card numbers (gtest runs tests in order of definition).
  const auto order_id = create_order(7.77);
  ASSERT_EQ(http_post(url("/payments"), payment_body(order_id, 7.77, kCard)).status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto spans = capture_->all();
  ASSERT_FALSE(spans.empty());
  for (const auto& span : spans) {
    const std::string text = everything_in(span);
    EXPECT_EQ(text.find(kCard), std::string::npos) << text;
    EXPECT_EQ(text.find(kDeclinedCard), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace tdemo
