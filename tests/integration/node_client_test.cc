// Issue 7 item 6, across languages: examples/node-client (the official OpenTelemetry JS SDK)
// calls the gateway of `tracing-demo all`; both export to the embedded trace store, and the
// store holds ONE trace in which node-client's CLIENT span is the parent of the gateway's SERVER
// span, next to the spans of users, orders and payments.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

namespace json = boost::json;

TEST(NodeClient, OneTraceSpansTheJsClientAndTheFourServices) {
  const std::filesystem::path example = std::filesystem::path(TD_SOURCE_DIR) / "examples" / "node-client";
  if (!std::filesystem::exists("/usr/bin/node") ||
      !std::filesystem::exists(example / "node_modules" / "@opentelemetry" / "sdk-trace")) {
    GTEST_SKIP() << "node or examples/node-client/node_modules missing (scripts/setup.sh installs both)";
  }
  const std::string data_dir = ::testing::TempDir() + "node_client_" + std::to_string(::getpid());
  std::filesystem::remove_all(data_dir);
  const auto ports = test::free_ports(3);
  const auto base = test::free_port_range(4);
  const std::string gateway = "http://127.0.0.1:" + std::to_string(base);
  const std::string store = "http://127.0.0.1:" + std::to_string(ports[0]);
  test::ProcessOptions options;
  options.args = {"all", "--base-port", std::to_string(base), "--ui-port", std::to_string(ports[0]),
                  "--otlp-http-port", std::to_string(ports[1]), "--otlp-grpc-port", std::to_string(ports[2]),
                  "--data-dir", data_dir, "--payment-decline-rate", "0", "--io-threads", "2"};
  options.env = {{"OTEL_BSP_SCHEDULE_DELAY", "100"}, {"LOG_LEVEL", "warning"}};
  options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED",
                       "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "JAEGER_HOST"};
  test::Process all(TD_BINARY, options);
  ASSERT_TRUE(test::wait_for_http(gateway + "/health", std::chrono::seconds(30))) << all.stderr_text();

  test::ProcessOptions node_options;
  node_options.args = {"client.mjs", "/demo/full-flow/1", "/users/1"};
  node_options.working_directory = example.string();
  node_options.env = {{"GATEWAY_URL", gateway},
                      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(ports[1])}};
  node_options.unset_env = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"};
  test::Process node("/usr/bin/node", node_options);
  ASSERT_EQ(node.wait_for(std::chrono::seconds(60)), 0) << node.stdout_text() << node.stderr_text();
  const auto report = json::parse(node.stdout_text()).as_object();
  const std::string trace_id(report.at("trace_id").as_string());
  const auto& first_call = report.at("calls").as_array().at(0).as_object();
  const std::string client_span(first_call.at("span_id").as_string());
  const std::string traceresponse(first_call.at("traceresponse").as_string());
  ASSERT_EQ(traceresponse.substr(3, 32), trace_id) << "the gateway did not continue the JS client's trace";
  const std::string gateway_server_span = traceresponse.substr(36, 16);

  // The store receives both languages' spans (batched): wait for all five services and for the
  // gateway's SERVER span, which ends after its downstream calls (the gateway's CLIENT spans can
  // reach the store in an earlier batch than it).
  std::set<std::string> services;
  json::array spans;
  const auto has_gateway_server_span = [&] {
    for (const auto& span : spans) {
      if (span.at("spanID").as_string() == gateway_server_span) return true;
    }
    return false;
  };
  for (int attempt = 0; attempt < 100 && (services.size() < 5 || !has_gateway_server_span()); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto response = test::http_get(store + "/api/traces/" + trace_id);
    if (response.status != 200) continue;
    const auto body = json::parse(response.body);
    const auto& trace = body.at("data").as_array().at(0).as_object();
    services.clear();
    for (const auto& [id, process] : trace.at("processes").as_object()) {
      services.insert(std::string(process.at("serviceName").as_string()));
    }
    spans = trace.at("spans").as_array();
  }
  EXPECT_EQ(services, (std::set<std::string>{"node-client", "gateway", "user-service", "order-service",
                                              "payment-service"}));
  bool linked = false;
  for (const auto& span : spans) {
    if (span.at("spanID").as_string() != gateway_server_span) continue;
    for (const auto& reference : span.at("references").as_array()) {
      linked = linked || (reference.at("refType").as_string() == "CHILD_OF" &&
                          reference.at("spanID").as_string() == client_span);
    }
  }
  EXPECT_TRUE(linked) << "the gateway's SERVER span " << gateway_server_span
                      << " is not a child of the JS CLIENT span " << client_span;
  EXPECT_EQ(all.terminate(std::chrono::seconds(20)), 0);
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace tdemo
