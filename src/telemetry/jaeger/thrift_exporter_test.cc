#include "telemetry/jaeger/thrift_exporter.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/jaeger/thrift_encoder.h"
#include "telemetry/otlp/test_http_server.h"
#include "telemetry/otlp/test_log_lines.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::jaeger {
namespace {

using namespace std::chrono_literals;
using otlp::testing::LogLines;
using otlp::testing::ScriptedAction;
using otlp::testing::TestHttpServer;

JaegerThriftExporterOptions fast_options(const std::string& endpoint, LogLines& log) {
  return otlp::testing::fast_options<JaegerThriftExporterOptions>(endpoint, log);
}

TEST(JaegerThriftExporter, PostsThriftToApiTracesAndTakes202AsSuccess) {
  TestHttpServer server({ScriptedAction::respond(202), ScriptedAction::respond(202)});
  LogLines log;
  JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
  const SpanBatch batch = otlp::testing::realistic_batch(3);
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess) << log.joined();
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess) << log.joined();
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(server.connections(), 1u);  // keep-alive
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/traces");
  EXPECT_EQ(r.headers.at("content-type"), "application/x-thrift");
  EXPECT_EQ(r.headers.count("content-encoding"), 0u);
  EXPECT_EQ(r.body, encode_thrift_batches(batch).at(0).body);
  EXPECT_EQ(requests[1].body, r.body);
  EXPECT_EQ(log.joined(), "");
}

TEST(JaegerThriftExporter, OnePostPerResource) {
  TestHttpServer server({ScriptedAction::respond(202), ScriptedAction::respond(202)});
  LogLines log;
  JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
  const SpanBatch batch = otlp::testing::full_batch();  // two resources
  ASSERT_EQ(exporter.export_spans(batch), ExportResult::kSuccess) << log.joined();
  const auto requests = server.requests();
  const auto parts = encode_thrift_batches(batch);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, parts[0].body);
  EXPECT_EQ(requests[1].body, parts[1].body);
}

TEST(JaegerThriftExporter, RetriesAfter503HonouringRetryAfterThenSucceeds) {
  TestHttpServer server(
      {ScriptedAction::respond(503, {{"Retry-After", "1"}}), ScriptedAction::respond(202)});
  LogLines log;
  JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(2)), ExportResult::kSuccess);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);  // waited as told, not 10 ms
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
}

TEST(JaegerThriftExporter, RetriesRetryableStatusesAndLostConnectionsOnly) {
  for (unsigned status : {429u, 502u, 504u}) {
    TestHttpServer server({ScriptedAction::respond(status), ScriptedAction::respond(202)});
    LogLines log;
    JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
    EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kSuccess)
        << status;
    EXPECT_EQ(server.requests().size(), 2u) << status;
  }
  {
    TestHttpServer server({ScriptedAction::drop(), ScriptedAction::respond(202)});
    LogLines log;
    JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
    EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kSuccess);
    EXPECT_EQ(server.requests().size(), 2u);
  }
  // Jaeger's collector answers 400 to a body it cannot read: no retry, one line in the log.
  TestHttpServer server({ScriptedAction::respond(400, {}, "Unable to process request body")});
  LogLines log;
  JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_NE(
      log.joined().find("export of 1 spans to " + server.url("/api/traces") + " failed: HTTP 400"),
      std::string::npos)
      << log.joined();
}

TEST(JaegerThriftExporter, GivesUpAfterMaxAttemptsAndRateLimitsItsLog) {
  TestHttpServer server({ScriptedAction::respond(503), ScriptedAction::respond(503),
                         ScriptedAction::respond(503), ScriptedAction::respond(503)});
  LogLines log;
  auto options = fast_options(server.url("/api/traces"), log);
  options.retry.max_attempts = 2;
  options.log_interval = 60s;
  JaegerThriftExporter exporter(options);
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(server.requests().size(), 4u);
  std::lock_guard lock(log.mutex);
  ASSERT_EQ(log.lines.size(), 1u);  // the second failure is suppressed
  EXPECT_NE(log.lines[0].find("after 2 attempts: HTTP 503"), std::string::npos) << log.lines[0];
}

TEST(JaegerThriftExporter, ShutdownInterruptsBackoffAndLaterExportsFail) {
  TestHttpServer server({ScriptedAction::respond(503, {{"Retry-After", "10"}})});
  LogLines log;
  JaegerThriftExporter exporter(fast_options(server.url("/api/traces"), log));
  std::thread stopper([&] {
    while (server.requests().empty()) std::this_thread::sleep_for(5ms);
    exporter.shutdown(1s);
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  stopper.join();
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(JaegerThriftExporter, BadEndpointFailsEveryExportAndSaysSoOnce) {
  LogLines log;
  JaegerThriftExporterOptions options;
  options.endpoint = "https://jaeger:14268/api/traces";
  options.log = log.sink();
  JaegerThriftExporter exporter(options);
  EXPECT_NE(exporter.configuration_error().find("Jaeger endpoint"), std::string::npos)
      << exporter.configuration_error();
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(exporter.export_spans(otlp::testing::realistic_batch(1)), ExportResult::kFailure);
  EXPECT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(exporter.export_spans(SpanBatch{}), ExportResult::kSuccess);  // nothing to send
}

}  // namespace
}  // namespace tdemo::telemetry::jaeger
