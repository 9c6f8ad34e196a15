// `tracing-demo traces` as a process: OTLP/HTTP (protobuf, JSON, gzip) and OTLP/gRPC in, the
// Jaeger and api_v3 query APIs out; bad input answered with clean 4xx while the store keeps
// serving; bearer-token auth; /metrics.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <grpcpp/grpcpp.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "support/http_client.h"
#include "support/process.h"
#include "support/trace_store_process.h"
#include "telemetry/otlp/gzip.h"
#include "telemetry/otlp/json_encoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "tracestore/test_spans.h"

namespace tdemo {
namespace {
namespace json = boost::json;
namespace otlp_v1 = opentelemetry::proto::collector::trace::v1;

constexpr std::uint64_t kMs = 1'000'000ULL;

// A two-service trace: gateway SERVER root -> users SERVER child (with an event and error).
telemetry::SpanBatch two_service_trace(std::uint64_t trace) {
  using tracestore::testing::resource;
  using tracestore::testing::span;
  const std::uint64_t t0 = test::now_unix_ns() - 50 * kMs;
  telemetry::SpanBatch batch;
  auto root = span(trace, 1, 0, "GET /checkout", resource("gateway"), t0, 20 * kMs);
  root.attributes = {{"http.route", std::string("/checkout")}, {"http.response.status_code", std::int64_t{200}}};
  auto child = span(trace, 2, 1, "GET /users/{id}", resource("users"), t0 + kMs, 10 * kMs);
  child.status_code = telemetry::StatusCode::kError;
  child.status_message = "boom";
  child.events.push_back({"exception", t0 + 2 * kMs, {{"exception.type", std::string("Boom")}}, 0});
  batch.push_back(std::make_unique<telemetry::SpanData>(root));
  batch.push_back(std::make_unique<telemetry::SpanData>(child));
  return batch;
}

class TraceStoreIngest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store.ready) << store.process->stderr_text(); }
  test::HttpResponse post(const std::string& body, const std::string& type, test::HeaderList headers = {}) {
    headers.emplace_back("Content-Type", type);
    return test::http_request("POST", store.otlp() + "/v1/traces", body, headers);
  }
  json::object get_json(const std::string& path, int expected_status = 200) {
    auto r = test::http_get(store.ui() + path);
    EXPECT_EQ(r.status, expected_status) << path << ": " << r.body;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << path << ": not a JSON object: " << r.body;
      return {};
    }
    return v.as_object();
  }
  void expect_trace_back(std::uint64_t trace) {
    auto body = get_json("/api/traces/" + test::trace_hex(trace));
    ASSERT_TRUE(body.contains("data"));
    const auto& t = body.at("data").as_array().at(0).as_object();
    const auto& spans = t.at("spans").as_array();
    ASSERT_EQ(spans.size(), 2u);
    const auto& child = spans[1].as_object();
    EXPECT_EQ(child.at("references").as_array()[0].at("refType").as_string(), "CHILD_OF");
    EXPECT_EQ(child.at("references").as_array()[0].at("spanID").as_string(), "0000000000000001");
    EXPECT_EQ(child.at("logs").as_array().size(), 1u);
    const auto& process = t.at("processes").at(child.at("processID").as_string()).as_object();
    EXPECT_EQ(process.at("serviceName").as_string(), "users");
    EXPECT_EQ(process.at("tags").as_array()[0].at("key").as_string(), "host.name");
  }
  test::TraceStoreProcess store{TD_BINARY};
};

TEST_F(TraceStoreIngest, ProtobufInJaegerAndV3Out) {
  auto r = post(telemetry::otlp::encode_protobuf(two_service_trace(1)), "application/x-protobuf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/x-protobuf");
  otlp_v1::ExportTraceServiceResponse response;
  EXPECT_TRUE(response.ParseFromString(r.body));
  expect_trace_back(1);

  auto v3 = get_json("/api/v3/traces/" + test::trace_hex(1));
  const auto& rs = v3.at("result").at("resourceSpans").as_array();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[1].at("scopeSpans").as_array()[0].at("spans").as_array()[0].at("status").at("code").as_int64(), 2);

  auto services = get_json("/api/services");
  EXPECT_EQ(services.at("data"), (json::array{"gateway", "users"}));
  auto search = get_json("/api/traces?service=users&tags=%7B%22error%22%3A%22true%22%7D&lookback=1h");
  EXPECT_EQ(search.at("data").as_array().size(), 1u);
  auto v3_search = get_json("/api/v3/traces?query.service_name=gateway");
  EXPECT_EQ(v3_search.at("result").at("resourceSpans").as_array().size(), 2u);
  auto deps = get_json("/api/dependencies");
  ASSERT_EQ(deps.at("data").as_array().size(), 1u);
  EXPECT_EQ(deps.at("data").as_array()[0].at("parent").as_string(), "gateway");
}

TEST_F(TraceStoreIngest, JsonAndGzip) {
  auto r = post(telemetry::otlp::encode_json(two_service_trace(2)), "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  auto gz = post(telemetry::otlp::gzip_compress(telemetry::otlp::encode_protobuf(two_service_trace(3))),
                 "application/x-protobuf", {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200) << gz.body;
  expect_trace_back(2);
  expect_trace_back(3);
}

TEST_F(TraceStoreIngest, GrpcExport) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(store.grpc_port), grpc::InsecureChannelCredentials());
  auto stub = otlp_v1::TraceService::NewStub(channel);
  otlp_v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(telemetry::otlp::encode_protobuf(two_service_trace(4))));
  otlp_v1::ExportTraceServiceResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = stub->Export(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  expect_trace_back(4);
}

TEST_F(TraceStoreIngest, BadInputGetsClean4xxAndTheStoreKeepsServing) {
  static constexpr char kGarbage[] = "\x0a\xff\xff\xff\xff\x0f garbage";  // a length that runs past the end
  auto garbage_pb = post(std::string(kGarbage, sizeof kGarbage - 1), "application/x-protobuf");
  EXPECT_EQ(garbage_pb.status, 400);
  auto garbage_json = post("{\"resourceSpans\": [", "application/json");
  EXPECT_EQ(garbage_json.status, 400);
  EXPECT_EQ(json::parse(garbage_json.body).at("code").as_int64(), 3);
  EXPECT_EQ(post("hello", "text/plain").status, 415);
  EXPECT_EQ(post("{}", "application/json", {{"Content-Encoding", "gzip"}}).status, 400);
  // Over the 16 MiB default: the server answers 413 from the headers alone and closes.
  const std::string oversize =
      "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
      "Content-Length: 17000000\r\n\r\nabc";
  EXPECT_NE(test::raw_exchange("127.0.0.1", store.otlp_port, oversize).find(" 413 "), std::string::npos);
  EXPECT_EQ(test::http_get(store.otlp() + "/v1/traces").status, 405);

  auto unknown = get_json("/api/traces/0123456789abcdef0123456789abcdef", 404);
  EXPECT_EQ(unknown.at("errors").as_array()[0].at("code").as_int64(), 404);
  get_json("/api/traces/not-hex", 400);
  get_json("/api/traces", 400);
  get_json("/api/traces?service=x&minDuration=fast", 400);
  get_json("/api/traces?service=x&limit=-3", 400);
  get_json("/api/traces?service=x&tags=%7Bbroken", 400);
  get_json("/api/v3/traces?query.service_name=x&query.start_time_min=yesterday", 400);
  get_json("/api/dependencies?endTs=soon", 400);

  ASSERT_EQ(post(telemetry::otlp::encode_protobuf(two_service_trace(5)), "application/x-protobuf").status, 200);
  expect_trace_back(5);
}

TEST_F(TraceStoreIngest, MetricsAndUiHeaders) {
  ASSERT_EQ(post(telemetry::otlp::encode_protobuf(two_service_trace(6)), "application/x-protobuf").status, 200);
  auto metrics = test::http_get(store.ui() + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tracestore_spans_received_total 2"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("tracestore_traces 1"), std::string::npos);
  auto page = test::http_get(store.ui() + "/trace/" + test::trace_hex(6));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.header("Content-Security-Policy").value_or("").find("script-src 'self'"), std::string::npos);
  auto api = test::http_get(store.ui() + "/api/services");
  EXPECT_EQ(api.header("Access-Control-Allow-Origin"), "*");
}

TEST(TraceStoreAuth, BearerTokenGuardsIngestAndQuery) {
  test::TraceStoreProcess store(TD_BINARY, {.extra_args = {"--auth-token", "s3cret", "--no-grpc"}});
  ASSERT_TRUE(store.ready) << store.process->stderr_text();
  const std::string body = telemetry::otlp::encode_protobuf(two_service_trace(7));
  EXPECT_EQ(test::http_request("POST", store.otlp() + "/v1/traces", body, {{"Content-Type", "application/x-protobuf"}}).status, 401);
  EXPECT_EQ(test::http_request("POST", store.otlp() + "/v1/traces", body,
                               {{"Content-Type", "application/x-protobuf"}, {"Authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(test::http_get(store.ui() + "/api/services").status, 401);
  EXPECT_EQ(test::http_get(store.ui() + "/api/services", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(test::http_get(store.ui() + "/api/services", {{"Authorization", "Bearer s3cret"}}).status, 200);
}

}  // namespace
}  // namespace tdemo
