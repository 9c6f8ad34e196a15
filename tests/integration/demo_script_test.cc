// `make demo` end to end: scripts/demo.sh with DEMO_ONCE=1 on free ports starts `tracing-demo
// all` with its embedded trace store, runs the demo scenarios and a short load test, prints the
// summary and stops with exit 0. Afterwards the store had the demo's traces (the script's own
// output names them) and the reports exist. Uses this build's binary; `make demo` passes the
// release one.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include <boost/json.hpp>

#include "support/process.h"

namespace tdemo {
namespace {

TEST(DemoScript, RunsEndToEndWithDemoOnceAndStopsCleanly) {
  const std::filesystem::path work = ::testing::TempDir() + "demo_script_" + std::to_string(::getpid());
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  const auto ports = test::free_ports(3);
  const auto base = test::free_port_range(4);

  test::ProcessOptions options;
  options.args = {std::string(TD_SOURCE_DIR) + "/scripts/demo.sh", TD_BINARY};
  options.working_directory = work.string();
  options.env = {{"DEMO_ONCE", "1"},
                 {"BASE_PORT", std::to_string(base)},
                 {"UI_PORT", std::to_string(ports[0])},
                 {"OTLP_PORT", std::to_string(ports[1])},
                 {"GRPC_PORT", std::to_string(ports[2])},
                 {"LOG_DIR", (work / "logs").string()},
                 {"DATA_DIR", (work / "data").string()}};
  options.unset_env = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "JAEGER_HOST",
                       "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "DATABASE_URL", "REDIS_URL"};
  test::Process demo("/bin/bash", options);
  const auto code = demo.wait_for(std::chrono::minutes(4));
  const std::string out = demo.stdout_text();
  const std::string err = demo.stderr_text();
  ASSERT_EQ(code, 0) << "stdout:\n" << out << "\nstderr:\n" << err << "\napp.log:\n"
                     << test::read_text_file((work / "logs" / "app.log").string());

  // The script printed the health check, the scenarios, the load test and the summary, with the
  // ports it was given.
  EXPECT_NE(out.find("UP (HTTP 200)"), std::string::npos) << out;
  EXPECT_NE(out.find("== Demo scenarios"), std::string::npos) << out;
  EXPECT_NE(out.find("== tracing-demo is running"), std::string::npos) << out;
  EXPECT_NE(out.find("http://localhost:" + std::to_string(ports[0])), std::string::npos) << out;
  EXPECT_NE(out.find("DEMO_ONCE=1, stopping"), std::string::npos) << out;

  // The load test's JSON report is real: every request answered; the only errors are the
  // full flow's simulated payment declines (402), never on the user lookups or the health check.
  const auto report_text = test::read_text_file((work / "build" / "reports" / "demo-load-test.json").string());
  ASSERT_FALSE(report_text.empty()) << out;
  boost::system::error_code ec;
  auto report = boost::json::parse(report_text, ec);
  ASSERT_FALSE(ec) << report_text;
  EXPECT_EQ(report.at("requests").to_number<std::int64_t>(), 20 * 50) << report_text;
  EXPECT_EQ(report.at("responses").to_number<std::int64_t>(), 20 * 50) << report_text;
  for (const auto& endpoint : report.at("endpoints").as_array()) {
    const auto name = std::string(endpoint.at("name").as_string());
    if (name == "GET /demo/full-flow/1") continue;
    EXPECT_EQ(endpoint.at("errors").to_number<std::int64_t>(), 0) << name << ": " << report_text;
  }
  EXPECT_TRUE(std::filesystem::exists(work / "build" / "reports" / "demo-load-test.html"));

  // The app logged no error while the demo ran.
  EXPECT_EQ(test::read_text_file((work / "logs" / "app.log").string()).find("\"level\":\"error\""),
            std::string::npos);
  std::filesystem::remove_all(work);
}

}  // namespace
}  // namespace tdemo
