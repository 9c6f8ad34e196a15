#include "telemetry/otlp/http_exporter.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/gzip.h"
#include "telemetry/otlp/test_http_server.h"
#include "telemetry/otlp/test_log_lines.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

using namespace std::chrono_literals;
using testing::LogLines;
using testing::ScriptedAction;
using testing::TestHttpServer;

HttpExporterOptions fast_options(const std::string& endpoint, LogLines& log) {
  return testing::fast_options<HttpExporterOptions>(endpoint, log);
}

TEST(HttpExporter, SendsProtobufWithHeadersAndReusesTheConnection) {
  TestHttpServer server;
  LogLines log;
  auto options = fast_options(server.url(), log);
  options.headers = {{"authorization", "Bearer t"}, {"x-tenant", "demo"}};
  OtlpHttpExporter exporter(options);
  const SpanBatch batch = testing::full_batch();
  EXPECT_EQ(exporter.export_spans(batch), ExportResult::kSuccess);
  EXPECT_EQ(exporter.export_spans(batch), ExportResult::kSuccess);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(server.connections(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/traces");
  EXPECT_EQ(r.headers.at("content-type"), "application/x-protobuf");
  EXPECT_EQ(r.headers.at("authorization"), "Bearer t");
  EXPECT_EQ(r.headers.at("x-tenant"), "demo");
  EXPECT_EQ(r.headers.count("content-encoding"), 0u);
  EXPECT_NE(r.headers.at("user-agent").find("OTel-OTLP-Exporter"), std::string::npos);
  const DecodeResult decoded = decode_export_request(r.body, Format::kProtobuf);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  testing::expect_same_batch(batch, decoded.spans);
  EXPECT_EQ(requests[1].body, r.body);
}

TEST(HttpExporter, SendsGzippedJson) {
  TestHttpServer server;
  LogLines log;
  auto options = fast_options(server.url(), log);
  options.json = true;
  options.gzip = true;
  OtlpHttpExporter exporter(options);
  const SpanBatch batch = testing::full_batch();
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[0].headers.at("content-encoding"), "gzip");
  const GunzipResult body = gzip_decompress(requests[0].body);
  ASSERT_TRUE(body.ok()) << body.error;
  const DecodeResult decoded = decode_export_request(body.data, Format::kJson);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  testing::expect_same_batch(batch, decoded.spans);
}

TEST(HttpExporter, RetriesAfter503HonouringRetryAfter) {
  TestHttpServer server({ScriptedAction::respond(503, {{"Retry-After", "1"}})});
  LogLines log;
  OtlpHttpExporter exporter(fast_options(server.url(), log));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(3)), ExportResult::kSuccess);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);  // waited as told, not the 10ms backoff
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
}

TEST(HttpExporter, RetriesEachRetryableStatus) {
  for (unsigned status : {429u, 502u, 503u, 504u}) {
    TestHttpServer server({ScriptedAction::respond(status)});
    LogLines log;
    OtlpHttpExporter exporter(fast_options(server.url(), log));
    EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kSuccess) << status;
    EXPECT_EQ(server.requests().size(), 2u) << status;
  }
}

TEST(HttpExporter, DoesNotRetryOtherClientErrors) {
  for (unsigned status : {400u, 401u, 404u, 413u, 415u, 500u}) {
    TestHttpServer server({ScriptedAction::respond(status, {}, "bad")});
    LogLines log;
    OtlpHttpExporter exporter(fast_options(server.url(), log));
    EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure) << status;
    EXPECT_EQ(server.requests().size(), 1u) << status;
    EXPECT_NE(log.joined().find("HTTP " + std::to_string(status)), std::string::npos) << log.joined();
  }
}

TEST(HttpExporter, RetriesADroppedConnection) {
  TestHttpServer server({ScriptedAction::drop()});
  LogLines log;
  OtlpHttpExporter exporter(fast_options(server.url(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(2)), ExportResult::kSuccess);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(HttpExporter, GivesUpAfterMaxAttempts) {
  TestHttpServer server({ScriptedAction::respond(503), ScriptedAction::respond(503), ScriptedAction::respond(503)});
  LogLines log;
  auto options = fast_options(server.url(), log);
  options.retry.max_attempts = 3;
  OtlpHttpExporter exporter(options);
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_NE(log.joined().find("after 3 attempts"), std::string::npos) << log.joined();
}

TEST(HttpExporter, RetryAfterBeyondTheTimeoutFailsWithoutWaiting) {
  TestHttpServer server({ScriptedAction::respond(429, {{"Retry-After", "120"}})});
  LogLines log;
  auto options = fast_options(server.url(), log);
  options.timeout = 2s;
  options.retry.max_retry_after = 300s;
  OtlpHttpExporter exporter(options);
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_NE(log.joined().find("no time left"), std::string::npos) << log.joined();
}

TEST(HttpExporter, TimeoutIsRespectedWhenTheServerHangs) {
  TestHttpServer server({ScriptedAction::hang()});
  LogLines log;
  auto options = fast_options(server.url(), log);
  options.timeout = 300ms;
  OtlpHttpExporter exporter(options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  // Generous bound: only checks that the call does not wait for the server forever.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
  EXPECT_NE(log.joined().find("timed out"), std::string::npos) << log.joined();
}

TEST(HttpExporter, ConnectionRefusedIsRetriedThenFails) {
  unsigned short port;
  { TestHttpServer closed; port = closed.port(); }  // a port nobody listens on now
  LogLines log;
  auto options = fast_options("http://127.0.0.1:" + std::to_string(port) + "/v1/traces", log);
  options.retry.max_attempts = 2;
  OtlpHttpExporter exporter(options);
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_NE(log.joined().find("after 2 attempts"), std::string::npos) << log.joined();
}

TEST(HttpExporter, ReconnectsAfterConnectionClose) {
  TestHttpServer server({ScriptedAction::respond(200, {{"Connection", "close"}})});
  LogLines log;
  OtlpHttpExporter exporter(fast_options(server.url(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kSuccess);
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kSuccess);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(HttpExporter, ReconnectsAtOnceWhenTheServerClosedTheIdleConnection) {
  TestHttpServer server({ScriptedAction::respond_then_close(200)});
  LogLines log;
  OtlpHttpExporter exporter(fast_options(server.url(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kSuccess);
  std::this_thread::sleep_for(50ms);  // let the close reach us (either way the export must work)
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kSuccess);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(log.joined(), "");  // no failure, no backoff
}

TEST(HttpExporter, LogsPartialSuccess) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_rejected_spans(2);
  response.mutable_partial_success()->set_error_message("bad ids");
  TestHttpServer server({ScriptedAction::respond(200, {{"Content-Type", "application/x-protobuf"}},
                                                 response.SerializeAsString()),
                         ScriptedAction::respond(200, {{"Content-Type", "application/json"}},
                                                 R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"json too"}})")});
  LogLines log;
  OtlpHttpExporter exporter(fast_options(server.url(), log));
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(2)), ExportResult::kSuccess);
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(2)), ExportResult::kSuccess);
  EXPECT_NE(log.joined().find("rejected 2 spans: bad ids"), std::string::npos) << log.joined();
  EXPECT_NE(log.joined().find("rejected 3 spans: json too"), std::string::npos) << log.joined();
}

TEST(HttpExporter, ShutdownInterruptsBackoffAndLaterExportsFail) {
  TestHttpServer server({ScriptedAction::respond(503, {{"Retry-After", "10"}})});
  LogLines log;
  OtlpHttpExporter exporter(fast_options(server.url(), log));
  std::thread stopper([&] {
    while (server.requests().empty()) std::this_thread::sleep_for(5ms);
    exporter.shutdown(1s);
  });
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  stopper.join();
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpExporter, BadEndpointFailsEveryExportAndLogsOnce) {
  LogLines log;
  HttpExporterOptions options;
  options.endpoint = "https://example.com/v1/traces";
  options.log = log.sink();
  OtlpHttpExporter exporter(options);
  EXPECT_FALSE(exporter.configuration_error().empty());
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(exporter.export_spans(testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(log.lines.size(), 1u);
  options.endpoint = "not a url";
  EXPECT_FALSE(OtlpHttpExporter(options).configuration_error().empty());
}

TEST(RetryAfter, SecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("0", now), 0ms);
  EXPECT_EQ(parse_retry_after(" 7 ", now), 7000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), 0ms);  // in the past
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 PST", now), std::nullopt);
}

TEST(RateLimitedLog, OneLinePerIntervalThenCountsWhatWasSuppressed) {
  LogLines log;
  const auto limited = rate_limited(log.sink(), std::chrono::milliseconds(200));
  for (int i = 0; i < 50; ++i) limited("export failed " + std::to_string(i));
  {
    std::lock_guard lock(log.mutex);
    ASSERT_EQ(log.lines.size(), 1u);  // a dead backend: one line, not fifty
    EXPECT_EQ(log.lines[0], "export failed 0");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  limited("export failed again");
  std::lock_guard lock(log.mutex);
  ASSERT_EQ(log.lines.size(), 2u);
  EXPECT_EQ(log.lines[1], "export failed again (49 similar lines suppressed)");
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
