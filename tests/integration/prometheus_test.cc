// Prometheus: every /metrics of `tracing-demo all` (gateway, users, orders, payments) and of the
// trace store passes Debian's `promtool check metrics`, carries the metric families issue 7
// item 3 lists, and a real `prometheus` server (Debian's) scrapes every target as up.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kPrometheus = "/usr/bin/prometheus";

// Metric families (the `# TYPE <name> ...` line) that must appear on a /metrics page.
std::set<std::string> metric_families(const std::string& text) {
  std::set<std::string> names;
  std::size_t at = 0;
  while ((at = text.find("# TYPE ", at)) != std::string::npos) {
    at += 7;
    const auto end = text.find(' ', at);
    if (end == std::string::npos) break;
    names.insert(text.substr(at, end - at));
  }
  return names;
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPromtool) || !std::filesystem::exists(kPrometheus)) {
      GTEST_SKIP() << "Debian's prometheus package is not installed (scripts/setup.sh installs it)";
    }
    work_dir_ = ::testing::TempDir() + "prometheus_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(work_dir_);
    std::filesystem::create_directories(work_dir_);
    // One `tracing-demo all` with its embedded trace store on ports of our choosing: the
    // demo's configuration, and a check that --ui-port / --otlp-*-port are honoured.
    const auto ports = test::free_ports(4);
    store_ui_port_ = ports[0];
    prometheus_port_ = ports[3];
    const auto base = test::free_port_range(4);
    for (std::uint16_t i = 0; i < 4; ++i) service_ports_.push_back(static_cast<std::uint16_t>(base + i));
    test::ProcessOptions options;
    options.args = {"all", "--base-port", std::to_string(base), "--ui-port", std::to_string(ports[0]),
                    "--otlp-http-port", std::to_string(ports[1]), "--otlp-grpc-port", std::to_string(ports[2]),
                    "--data-dir", work_dir_ + "/data", "--payment-decline-rate", "0", "--io-threads", "2"};
    options.env = {{"OTEL_BSP_SCHEDULE_DELAY", "100"}, {"LOG_LEVEL", "warning"}};
    options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED",
                         "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "JAEGER_HOST",
                         "DATABASE_URL", "REDIS_URL"};
    all_ = std::make_unique<test::Process>(TD_BINARY, options);
    ASSERT_TRUE(test::wait_for_http(target_url(base) + "/health", std::chrono::seconds(30))) << all_->stderr_text();
    ASSERT_TRUE(test::wait_for_http(target_url(store_ui_port_) + "/metrics", std::chrono::seconds(20)))
        << all_->stderr_text();
  }
  void TearDown() override {
    prometheus_.reset();  // SIGKILL + reap when still running, also after a failed assertion
    all_.reset();
    if (!work_dir_.empty()) std::filesystem::remove_all(work_dir_);
  }

  static std::string target_url(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }
  std::vector<std::uint16_t> all_targets() const {
    auto targets = service_ports_;
    targets.push_back(store_ui_port_);
    return targets;
  }

  // Runs `promtool check metrics < file`; returns {exit code, output}.
  std::pair<std::optional<int>, std::string> promtool_check(const std::string& metrics_text, const std::string& name) {
    const std::string path = work_dir_ + "/" + name + ".prom";
    std::ofstream(path) << metrics_text;
    test::ProcessOptions options;
    options.args = {"-c", std::string(kPromtool) + " check metrics < '" + path + "'"};
    test::Process promtool("/bin/sh", options);
    auto code = promtool.wait_for(std::chrono::seconds(30));
    return {code, promtool.stdout_text() + promtool.stderr_text()};
  }

  std::string work_dir_;
  std::uint16_t store_ui_port_ = 0, prometheus_port_ = 0;
  std::vector<std::uint16_t> service_ports_;
  std::unique_ptr<test::Process> all_, prometheus_;
};

TEST_F(PrometheusTest, EveryMetricsPagePassesPromtoolAndHasTheIssuesFamilies) {
  // Traffic first, so histograms, DB, cache and span counters have samples.
  for (int i = 0; i < 3; ++i) {
    auto flow = test::http_get(target_url(service_ports_[0]) + "/demo/full-flow/1");
    ASSERT_EQ(flow.status, 200) << flow.body;
  }
  EXPECT_EQ(test::http_get(target_url(service_ports_[0]) + "/users/4242").status, 404);

  const char* names[] = {"gateway", "users", "orders", "payments", "tracestore"};
  std::map<std::string, std::set<std::string>> families;
  const auto targets = all_targets();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto response = test::http_get(target_url(targets[i]) + "/metrics");
    ASSERT_EQ(response.status, 200) << names[i] << ": " << response.error;
    const auto content_type = response.header("Content-Type").value_or("");
    EXPECT_NE(content_type.find("text/plain"), std::string::npos) << names[i] << ": " << content_type;
    auto [code, output] = promtool_check(response.body, names[i]);
    EXPECT_EQ(code, 0) << names[i] << " /metrics fails promtool check metrics:\n" << output;
    families[names[i]] = metric_families(response.body);
  }

  // Issue 7 item 3, per service: request duration histogram (route/method/status labels),
  // in-flight requests, spans started/exported/dropped, exporter queue depth and failures.
  for (const char* service : {"gateway", "users", "orders", "payments"}) {
    const auto& f = families[service];
    std::string listed;
    for (const auto& name : f) listed += name + " ";
    for (const char* family : {"http_server_request_duration_seconds", "http_server_active_requests",
                               "tracing_spans_started_total", "tracing_spans_exported_total",
                               "tracing_spans_dropped_total", "tracing_export_queue_depth",
                               "tracing_export_failures_total"}) {
      EXPECT_TRUE(f.count(family)) << service << " lacks " << family << "; has: " << listed;
    }
  }
  auto gateway_metrics = test::http_get(target_url(service_ports_[0]) + "/metrics").body;
  EXPECT_NE(gateway_metrics.find(
                "http_server_request_duration_seconds_count{method=\"GET\",route=\"/demo/full-flow/{user_id}\","
                "status=\"200\"} 3"),
            std::string::npos)
      << "the request histogram counts the three full flows by method, route template and status:\n"
      << gateway_metrics;
  EXPECT_NE(gateway_metrics.find("route=\"/users/{user_id}\",status=\"404\""), std::string::npos)
      << gateway_metrics;
  // RED metrics per downstream call on the gateway.
  EXPECT_TRUE(families["gateway"].count("http_client_request_duration_seconds"));
  // Tier-specific families: the DB pool on services with a database, the cache on users, the
  // trace store's ingest/storage/eviction counters.
  std::string users_listed;
  for (const auto& name : families["users"]) users_listed += name + " ";
  EXPECT_TRUE(families["users"].count("db_pool_connections")) << users_listed;
  EXPECT_TRUE(families["users"].count("cache_requests_total")) << users_listed;
  const auto users_metrics = test::http_get(target_url(service_ports_[1]) + "/metrics").body;
  EXPECT_NE(users_metrics.find("cache_requests_total{result=\"hit\"}"), std::string::npos) << users_metrics;
  EXPECT_NE(users_metrics.find("cache_requests_total{result=\"miss\"}"), std::string::npos) << users_metrics;
  std::string store_listed;
  for (const auto& name : families["tracestore"]) store_listed += name + " ";
  for (const char* family : {"tracestore_spans_received_total", "tracestore_traces", "tracestore_traces_evicted_total"}) {
    EXPECT_TRUE(families["tracestore"].count(family)) << "trace store lacks " << family << "; has: " << store_listed;
  }
}

TEST_F(PrometheusTest, APrometheusServerScrapesEveryTargetAsUp) {
  std::string config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n";
  const char* jobs[] = {"gateway", "users", "orders", "payments", "tracestore"};
  const auto targets = all_targets();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    config += "  - job_name: " + std::string(jobs[i]) + "\n    static_configs:\n      - targets: ['127.0.0.1:" +
              std::to_string(targets[i]) + "']\n";
  }
  const std::string config_path = work_dir_ + "/prometheus.yml";
  std::ofstream(config_path) << config;
  test::ProcessOptions options;
  options.args = {"--config.file=" + config_path, "--storage.tsdb.path=" + work_dir_ + "/tsdb",
                  "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_)};
  prometheus_ = std::make_unique<test::Process>(kPrometheus, options);
  const std::string api = target_url(prometheus_port_) + "/api/v1/targets";
  ASSERT_TRUE(test::wait_for_http(api, std::chrono::seconds(20))) << prometheus_->stderr_text();

  // Bounded wait (~20 s) until all five targets report health "up".
  std::map<std::string, std::string> health;
  for (int attempt = 0; attempt < 80; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto response = test::http_get(api);
    if (response.status != 200) continue;
    boost::system::error_code ec;
    auto body = boost::json::parse(response.body, ec);
    if (ec) continue;
    health.clear();
    for (const auto& target : body.at("data").at("activeTargets").as_array()) {
      const auto& object = target.as_object();
      std::string line = std::string(object.at("health").as_string());
      if (const auto* error = object.if_contains("lastError"); error && !error->as_string().empty()) {
        line += " (" + std::string(error->as_string()) + ")";
      }
      health[std::string(object.at("scrapeUrl").as_string())] = line;
    }
    bool all_up = health.size() == targets.size();
    for (const auto& [url, state] : health) all_up = all_up && state == "up";
    if (all_up) break;
  }
  ASSERT_EQ(health.size(), targets.size());
  for (const auto& [url, state] : health) EXPECT_EQ(state, "up") << url;
  EXPECT_EQ(prometheus_->terminate(std::chrono::seconds(20)), 0) << prometheus_->stderr_text();
}

}  // namespace
}  // namespace tdemo
