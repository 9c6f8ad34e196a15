// Log correlation: the JSON log lines `tracing-demo all` writes for one request carry the same
// trace_id as the request's spans, and `tracing-demo logs --trace ID --file PATH` prints them.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The parsed JSON object lines of `text` whose trace_id is `trace_id`.
std::vector<boost::json::object> log_lines_of_trace(const std::string& text, const std::string& trace_id) {
  std::vector<boost::json::object> out;
  for (const auto& line : lines_of(text)) {
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) continue;
    const auto* id = value.as_object().if_contains("trace_id");
    if (id != nullptr && id->is_string() && id->as_string() == trace_id) out.push_back(value.as_object());
  }
  return out;
}

std::string field(const boost::json::object& line, const char* key) {
  const auto* value = line.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

class LogCorrelationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = ::testing::TempDir() + "log_correlation_" + std::to_string(::getpid());
    std::filesystem::remove_all(data_dir_);
    const auto ports = test::free_ports(2);
    store_ui_ = "http://127.0.0.1:" + std::to_string(ports[1]);
    test::ProcessOptions store_options;
    store_options.args = {"traces", "--host", "127.0.0.1", "--otlp-http-port", std::to_string(ports[0]),
                          "--no-grpc", "--ui-port", std::to_string(ports[1])};
    store_ = std::make_unique<test::Process>(TD_BINARY, store_options);
    ASSERT_TRUE(test::wait_for_http(store_ui_ + "/metrics", std::chrono::seconds(20))) << store_->stderr_text();

    const auto base = test::free_port_range(4);
    gateway_ = "http://127.0.0.1:" + std::to_string(base);
    test::ProcessOptions options;
    options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", data_dir_,
                    "--payment-decline-rate", "0", "--io-threads", "2"};
    options.env = {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(ports[0])},
                   {"OTEL_BSP_SCHEDULE_DELAY", "100"},
                   {"LOG_LEVEL", "info"}};
    options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED", "DEBUG"};
    all_ = std::make_unique<test::Process>(TD_BINARY, options);
    ASSERT_TRUE(test::wait_for_http(gateway_ + "/health", std::chrono::seconds(30))) << all_->stderr_text();
  }
  void TearDown() override {
    all_.reset();  // SIGKILL + reap when still running
    store_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  // Jaeger API: the span ids of a trace in the store (waits for the batch exports).
  std::set<std::string> stored_span_ids(const std::string& trace_id, std::size_t at_least) {
    std::set<std::string> ids;
    for (int attempt = 0; attempt < 100 && ids.size() < at_least; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto response = test::http_get(store_ui_ + "/api/traces/" + trace_id);
      if (response.status != 200) continue;
      boost::system::error_code ec;
      auto body = boost::json::parse(response.body, ec);
      if (ec) continue;
      ids.clear();
      for (const auto& trace : body.at("data").as_array()) {
        for (const auto& span : trace.at("spans").as_array()) ids.insert(std::string(span.at("spanID").as_string()));
      }
    }
    return ids;
  }

  std::string data_dir_, store_ui_, gateway_;
  std::unique_ptr<test::Process> store_, all_;
};

TEST_F(LogCorrelationTest, LogLinesOfARequestCarryItsTraceIdAndTheLogsCommandPrintsThem) {
  auto response = test::http_get(gateway_ + "/demo/full-flow/1");
  ASSERT_EQ(response.status, 200) << response.body;
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  ASSERT_FALSE(ec) << response.body;
  ASSERT_TRUE(body.as_object().contains("trace_id")) << response.body;
  const std::string trace_id(body.at("trace_id").as_string());
  ASSERT_EQ(trace_id.size(), 32u);
  if (auto traceresponse = response.header("traceresponse")) {
    EXPECT_NE(traceresponse->find(trace_id), std::string::npos) << *traceresponse;
  }

  // The spans reach the store; the log lines of the trace must name spans of that trace.
  ASSERT_GE(stored_span_ids(trace_id, 4).size(), 4u) << "trace " << trace_id << " not in the store";

  // Stop the services so every log line is written and every span exported (the four
  // services export in batches of their own: some of the trace may still have been on its
  // way above), then read their stderr and the whole trace.
  ASSERT_EQ(all_->terminate(std::chrono::seconds(20)), 0) << all_->stderr_text();
  const auto span_ids = stored_span_ids(trace_id, 4);
  const std::string logs = all_->stderr_text();
  const auto lines = log_lines_of_trace(logs, trace_id);
  ASSERT_FALSE(lines.empty()) << "no log line carries trace_id " << trace_id << ":\n" << logs;

  std::set<std::string> services_with_access_lines;
  for (const auto& line : lines) {
    const std::string span_id = field(line, "span_id");
    EXPECT_EQ(span_id.size(), 16u) << boost::json::serialize(line);
    EXPECT_TRUE(span_ids.count(span_id)) << "span " << span_id << " of log line is not in trace " << trace_id
                                         << ": " << boost::json::serialize(line);
    if (field(line, "message") == "access") services_with_access_lines.insert(field(line, "service"));
  }
  EXPECT_TRUE(services_with_access_lines.count("gateway")) << "no gateway access line for the trace:\n" << logs;
  // The full flow calls users, orders and payments: their access lines join the same trace.
  EXPECT_GE(services_with_access_lines.size(), 3u) << "access lines of the trace came only from "
                                                   << services_with_access_lines.size() << " service(s):\n" << logs;

  // `tracing-demo logs --trace ID --file <stderr>` prints exactly those lines.
  test::ProcessOptions logs_options;
  logs_options.args = {"logs", "--trace", trace_id, "--file", all_->stderr_path()};
  test::Process command(TD_BINARY, logs_options);
  ASSERT_EQ(command.wait_for(std::chrono::seconds(20)), 0) << command.stderr_text();
  const auto printed = lines_of(command.stdout_text());
  ASSERT_EQ(printed.size(), lines.size()) << command.stdout_text();
  for (std::size_t i = 0; i < printed.size(); ++i) {
    EXPECT_EQ(boost::json::parse(printed[i]).as_object(), lines[i]);
  }

  // An id with no lines: exit 1, nothing printed; a malformed id: exit 2.
  logs_options.args = {"logs", "--trace", "0123456789abcdef0123456789abcdef", "--file", all_->stderr_path()};
  test::Process none(TD_BINARY, logs_options);
  EXPECT_EQ(none.wait_for(std::chrono::seconds(20)), 1);
  EXPECT_EQ(none.stdout_text(), "");
  logs_options.args = {"logs", "--trace", "xyz", "--file", all_->stderr_path()};
  test::Process bad(TD_BINARY, logs_options);
  EXPECT_EQ(bad.wait_for(std::chrono::seconds(20)), 2);
}

// With the SDK disabled (OTEL_SDK_DISABLED=true: no span is recorded, nothing built for one)
// the services still pass the caller's trace context on: the access lines of the gateway and of
// the users service it calls carry the caller's trace id and span id.
TEST(LogCorrelationSdkDisabled, TraceContextStillFlowsThroughEveryHop) {
  const auto data_dir = ::testing::TempDir() + "log_correlation_off_" + std::to_string(::getpid());
  std::filesystem::remove_all(data_dir);
  const auto base = test::free_port_range(4);
  test::ProcessOptions options;
  options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", data_dir,
                  "--io-threads", "1"};
  options.env = {{"OTEL_SDK_DISABLED", "true"}, {"LOG_LEVEL", "info"}};
  options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER", "DEBUG"};
  test::Process all(TD_BINARY, options);
  const std::string gateway = "http://127.0.0.1:" + std::to_string(base);
  ASSERT_TRUE(test::wait_for_http(gateway + "/health", std::chrono::seconds(30))) << all.stderr_text();

  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string span_id = "00f067aa0ba902b7";
  auto response = test::http_get(gateway + "/users/1", {{"traceparent", "00-" + trace_id + "-" + span_id + "-01"}});
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(all.terminate(std::chrono::seconds(20)), 0) << all.stderr_text();

  std::set<std::string> services;
  for (const auto& line : log_lines_of_trace(all.stderr_text(), trace_id)) {
    if (field(line, "message") != "access") continue;
    services.insert(field(line, "service"));
    EXPECT_EQ(field(line, "span_id"), span_id) << boost::json::serialize(line);
  }
  EXPECT_TRUE(services.count("gateway")) << all.stderr_text();
  EXPECT_TRUE(services.count("user-service")) << all.stderr_text();
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace tdemo
