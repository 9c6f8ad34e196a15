// The traffic generator and load tester against the real services (`tracing-demo all` on free
// ports): the demo scenarios pass, and the load tester's counts agree with what the gateway's
// own /metrics counted per route and status.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include <boost/json/parse.hpp>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo::loadgen {
namespace {

test::ProcessOptions command(std::vector<std::string> args) {
  test::ProcessOptions options;
  options.args = std::move(args);
  options.env = {{"OTEL_TRACES_EXPORTER", "none"}};
  return options;
}

// The gateway's http_server_request_duration_seconds_count per "METHOD route status".
std::map<std::string, std::uint64_t> request_counts(const std::string& gateway) {
  const auto response = test::http_get(gateway + "/metrics");
  std::map<std::string, std::uint64_t> counts;
  // Label values may hold braces (route="/users/{user_id}"): the label set ends at the last "} ".
  const std::regex line(R"re(http_server_request_duration_seconds_count\{(.*)\} (\d+))re");
  const std::regex label(R"re((\w+)="([^"]*)")re");
  for (auto it = std::sregex_iterator(response.body.begin(), response.body.end(), line); it != std::sregex_iterator(); ++it) {
    std::map<std::string, std::string> labels;
    const std::string text = (*it)[1];
    for (auto l = std::sregex_iterator(text.begin(), text.end(), label); l != std::sregex_iterator(); ++l) {
      labels[(*l)[1]] = (*l)[2];
    }
    counts[labels["method"] + " " + labels["route"] + " " + labels["status"]] += std::stoull((*it)[2]);
  }
  return counts;
}

class AgainstServices : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto base = test::free_port_range(4);
    gateway_ = "http://127.0.0.1:" + std::to_string(base);
    data_dir_ = ::testing::TempDir() + "loadgen_traffic_" + std::to_string(base);
    test::ProcessOptions options;
    options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", data_dir_};
    options.env = {{"OTEL_TRACES_EXPORTER", "none"}, {"PAYMENT_DECLINE_RATE", "0"}};
    services_ = std::make_unique<test::Process>(TD_BINARY, options);
    if (!test::wait_for_http(gateway_ + "/health", std::chrono::seconds(30))) {
      GTEST_SKIP() << "tracing-demo all did not start: " << services_->stderr_text();
    }
  }
  void TearDown() override {
    if (services_) services_->terminate();
  }

  std::string gateway_;
  std::string data_dir_;
  std::unique_ptr<test::Process> services_;
};

TEST_F(AgainstServices, DemoScenariosPass) {
  test::Process demo(TD_BINARY, command({"traffic", "--mode", "demo", "--target", gateway_}));
  ASSERT_EQ(demo.wait_for(std::chrono::seconds(60)), 0) << demo.stdout_text() << demo.stderr_text();
  const auto out = demo.stdout_text();
  for (const char* scenario : {"[PASS] Happy full flow", "[PASS] Unknown user", "[PASS] Invalid order",
                               "[PASS] Declined payment", "[PASS] Idempotent retry"}) {
    EXPECT_NE(out.find(scenario), std::string::npos) << scenario << "\n" << out;
  }
  EXPECT_NE(out.find("http://localhost:16686/trace/"), std::string::npos);
  EXPECT_EQ(out.find("[FAIL]"), std::string::npos) << out;
}

// The demo scenarios' output against a fresh `tracing-demo all` run with `env` (no tracing).
std::string demo_output_with(const std::string& name, std::map<std::string, std::string> env) {
  const auto base = test::free_port_range(4);
  const std::string gateway = "http://127.0.0.1:" + std::to_string(base);
  test::ProcessOptions options;
  options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir",
                  ::testing::TempDir() + name + "_" + std::to_string(base)};
  options.env = std::move(env);
  options.env["OTEL_TRACES_EXPORTER"] = "none";
  test::Process services(TD_BINARY, options);
  if (!test::wait_for_http(gateway + "/health", std::chrono::seconds(30))) {
    ADD_FAILURE() << "tracing-demo all did not start: " << services.stderr_text();
    return {};
  }
  test::Process demo(TD_BINARY, command({"traffic", "--mode", "demo", "--target", gateway}));
  demo.wait_for(std::chrono::seconds(60));
  return demo.stdout_text();
}

// With every payment declined by the simulated processor, the retry scenario still passes: a
// decline is a result, replayed under the same Idempotency-Key (it used to fail 5% of demos).
TEST(DemoScenarios, IdempotentRetryReplaysADeclineToo) {
  const auto out = demo_output_with("loadgen_declines", {{"PAYMENT_DECLINE_RATE", "1"}});
  EXPECT_NE(out.find("[PASS] Idempotent retry"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP 402"), std::string::npos) << "the payments were not declined:\n" << out;
}

// The happy path is tried again when the simulated processor declines at random (5% by
// default: it used to fail one demo in twenty). Seed 1 at a 50% rate declines the first five.
TEST(DemoScenarios, HappyFullFlowIsTriedAgainAfterARandomDecline) {
  const auto out =
      demo_output_with("loadgen_random_declines", {{"PAYMENT_DECLINE_RATE", "0.5"}, {"RANDOM_SEED", "1"}});
  EXPECT_NE(out.find("[PASS] Happy full flow"), std::string::npos) << out;
  EXPECT_NE(out.find("earlier attempt(s) declined at random"), std::string::npos) << out;
}

TEST_F(AgainstServices, LoadTestCountsAgreeWithTheGatewayMetrics) {
  const auto before = request_counts(gateway_);
  const std::string json_path = ::testing::TempDir() + "loadgen_services_report.json";
  test::Process load(TD_BINARY, command({"load-test", "--target", gateway_, "--users", "2", "--requests", "20",
                                         "--mix", "GET /users/1=3,GET /users/999999=1", "--json", json_path}));
  ASSERT_EQ(load.wait_for(std::chrono::seconds(60)), 0) << load.stdout_text() << load.stderr_text();
  const auto after = request_counts(gateway_);
  const auto delta = [&](const std::string& key) {
    return (after.count(key) ? after.at(key) : 0) - (before.count(key) ? before.at(key) : 0);
  };
  EXPECT_EQ(delta("GET /users/{user_id} 200"), 30u);
  EXPECT_EQ(delta("GET /users/{user_id} 404"), 10u);
  const auto report = boost::json::parse(test::read_text_file(json_path)).as_object();
  EXPECT_EQ(report.at("statuses").as_object().at("200").to_number<std::uint64_t>(), delta("GET /users/{user_id} 200"));
  EXPECT_EQ(report.at("statuses").as_object().at("404").to_number<std::uint64_t>(), delta("GET /users/{user_id} 404"));
}

TEST_F(AgainstServices, StressAndActivityModesRun) {
  const auto before = request_counts(gateway_);
  test::Process stress(TD_BINARY, command({"traffic", "--mode", "stress", "--target", gateway_, "--rps", "100",
                                           "--duration", "1", "--mix", "GET /users/2=1"}));
  ASSERT_EQ(stress.wait_for(std::chrono::seconds(60)), 0) << stress.stdout_text() << stress.stderr_text();
  const auto after = request_counts(gateway_);
  const std::string key = "GET /users/{user_id} 200";
  EXPECT_EQ((after.count(key) ? after.at(key) : 0) - (before.count(key) ? before.at(key) : 0), 100u);

  test::Process activity(TD_BINARY, command({"traffic", "--mode", "activity", "--target", gateway_, "--duration", "2",
                                             "--rps", "40", "--concurrency", "3", "--seed", "7"}));
  ASSERT_EQ(activity.wait_for(std::chrono::seconds(60)), 0) << activity.stdout_text() << activity.stderr_text();
  const auto out = activity.stdout_text();
  EXPECT_NE(out.find("POST /users"), std::string::npos) << out;
  EXPECT_NE(out.find("POST /orders"), std::string::npos) << out;
}

}  // namespace
}  // namespace tdemo::loadgen
