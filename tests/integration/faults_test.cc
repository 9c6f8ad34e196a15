// Issue 9 items 1 and 2, the bad days: a tracing backend that is down or black-holed must not
// cost a single request, its spans are dropped and counted, the log gets a rate-limited line,
// and export resumes by itself when the backend returns; a stalled downstream service turns into
// a 504 naming it within the gateway's timeout, and traffic recovers when the service does.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"
#include "support/span_capture.h"

namespace tdemo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A port that accepts TCP connections (the kernel completes the handshake into the backlog)
// but never reads or answers: the worst kind of backend, slower than a refused connection.
class BlackHole {
 public:
  explicit BlackHole(std::uint16_t port = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // not inherited by the children
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 1024) != 0) {
      throw std::runtime_error("black hole: cannot listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~BlackHole() { close(); }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// The value of an unlabelled sample `name` on a Prometheus page (-1 when absent).
double metric(const std::string& page, const std::string& name) {
  const auto at = page.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + name.size() + 2));
}

std::string temp_dir(const char* what) {
  auto dir = ::testing::TempDir() + what + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(Faults, TracingBackendDownCostsNoRequestDropsAreCountedAndExportResumes) {
  auto black_hole = std::make_unique<BlackHole>();
  const std::uint16_t backend_port = black_hole->port();
  const auto data_dir = temp_dir("faults_backend_");
  const auto base = test::free_port_range(4);
  const std::string gateway = "http://127.0.0.1:" + std::to_string(base);
  test::ProcessOptions options;
  options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", data_dir,
                  "--payment-decline-rate", "0", "--io-threads", "2"};
  // A tiny queue and batches, and a black hole that holds each export for its whole timeout: the
  // exporters drain at most 8 spans per second each, far below what the requests below make,
  // however fast or slow the build (sanitizers) runs them. So spans must be dropped.
  options.env = {{"OTEL_EXPORTER_OTLP_ENDPOINT", black_hole->url()},
                 {"OTEL_BSP_SCHEDULE_DELAY", "100"},
                 {"OTEL_BSP_MAX_QUEUE_SIZE", "16"},
                 {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "8"},
                 {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
                 {"LOG_LEVEL", "warning"}};
  options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED",
                       "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "DATABASE_URL", "REDIS_URL"};
  test::Process all(TD_BINARY, options);
  ASSERT_TRUE(test::wait_for_http(gateway + "/health", seconds(30))) << all.stderr_text();

  // Far more spans than the queue holds, all while the backend swallows every export.
  int failed = 0;
  for (int i = 0; i < 150; ++i) {
    const auto response = test::http_get(gateway + (i % 3 == 0 ? "/demo/full-flow/1" : "/users/1"));
    failed += response.status != 200;
  }
  EXPECT_EQ(failed, 0) << "requests failed while the tracing backend was black-holed";

  // The spans that did not fit were dropped and counted on each service's /metrics.
  double dropped = 0;
  for (std::uint16_t i = 0; i < 4; ++i) {
    const std::string page = test::http_get("http://127.0.0.1:" + std::to_string(base + i) + "/metrics").body;
    const double value = metric(page, "tracing_spans_dropped_total");
    EXPECT_GE(value, 0) << "no tracing_spans_dropped_total on port " << base + i << ":\n" << page;
    dropped += std::max(value, 0.0);
  }
  EXPECT_GT(dropped, 0) << "no span was dropped, so the test did not overload the exporters";

  // The backend comes back on the same port: new traces arrive without a restart.
  black_hole->close();
  black_hole.reset();
  test::SpanCapture backend(backend_port);
  std::vector<telemetry::SpanData> spans;
  for (int attempt = 0; attempt < 60 && spans.size() < 10; ++attempt) {
    const auto flow = test::http_get(gateway + "/demo/full-flow/1");
    ASSERT_EQ(flow.status, 200) << flow.body;
    const auto trace_id = std::string(boost::json::parse(flow.body).at("trace_id").as_string());
    spans = backend.wait_for_trace(trace_id, 10);
  }
  EXPECT_GE(spans.size(), 10u) << "export did not resume after the backend returned";

  // The exporter complained, but with a rate-limited line per exporter, not one per batch.
  ASSERT_EQ(all.terminate(seconds(30)), 0) << all.stderr_text();
  const std::string logs = all.stderr_text();
  std::size_t export_lines = 0;
  for (std::size_t at = 0; (at = logs.find("otlp exporter: export of", at)) != std::string::npos; ++at) ++export_lines;
  EXPECT_GE(export_lines, 1u) << logs;
  EXPECT_LE(export_lines, 4u * 4u) << "export failures flood the log:\n" << logs;
  std::filesystem::remove_all(data_dir);
}

TEST(Faults, StalledDownstreamIsA504NamingItAndTrafficRecoversWithoutRestart) {
  BlackHole stalled_users;
  const auto data_dir = temp_dir("faults_downstream_");
  const auto ports = test::free_ports(1);
  const std::string gateway = "http://127.0.0.1:" + std::to_string(ports[0]);
  test::ProcessOptions options;
  options.args = {"gateway", "--port", std::to_string(ports[0]), "--data-dir", data_dir,
                  "--downstream-timeout-ms", "500", "--io-threads", "1"};
  options.env = {{"USERS_URL", stalled_users.url()}, {"OTEL_TRACES_EXPORTER", "none"}, {"LOG_LEVEL", "warning"}};
  options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME", "ORDERS_URL", "PAYMENTS_URL"};
  test::Process gateway_process(TD_BINARY, options);
  ASSERT_TRUE(test::wait_for_http(gateway + "/openapi.json", seconds(30))) << gateway_process.stderr_text();

  // The timeout is 500 ms; 10 s is only a bound against a hang.
  const auto started = std::chrono::steady_clock::now();
  const auto stalled = test::http_get(gateway + "/users/1", {}, seconds(10));
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(stalled.status, 504) << stalled.error << stalled.body;
  EXPECT_LT(waited, seconds(10));
  boost::system::error_code ec;
  const auto body = boost::json::parse(stalled.body, ec);
  ASSERT_FALSE(ec) << stalled.body;
  EXPECT_NE(stalled.body.find("user"), std::string::npos) << "the 504 does not name the users service: "
                                                          << stalled.body;
  // /health says the same: 503, the users dependency unhealthy and why.
  const auto health = test::http_get(gateway + "/health", {}, seconds(10));
  ASSERT_EQ(health.status, 503) << health.error << health.body;
  const auto health_body = boost::json::parse(health.body, ec);
  ASSERT_FALSE(ec) << health.body;
  EXPECT_EQ(health_body.at("status"), "unhealthy") << health.body;
  const auto& users_check = health_body.at("dependencies").at("users").as_object();
  EXPECT_EQ(users_check.at("status"), "unhealthy") << health.body;
  EXPECT_FALSE(users_check.at("error").as_string().empty()) << health.body;
  EXPECT_TRUE(users_check.at("checked_ms_ago").is_int64()) << health.body;

  // The users service comes up on that port: the same gateway serves again.
  stalled_users.close();
  test::ProcessOptions users_options;
  users_options.args = {"users", "--port", std::to_string(stalled_users.port()), "--data-dir", data_dir,
                        "--io-threads", "1"};
  users_options.env = {{"OTEL_TRACES_EXPORTER", "none"}, {"LOG_LEVEL", "warning"}};
  users_options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME"};
  test::Process users(TD_BINARY, users_options);
  ASSERT_TRUE(test::wait_for_http(stalled_users.url() + "/openapi.json", seconds(30))) << users.stderr_text();
  test::HttpResponse recovered;
  for (int attempt = 0; attempt < 50 && recovered.status != 200; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(milliseconds(100));
    recovered = test::http_get(gateway + "/users/1");
  }
  EXPECT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_EQ(users.terminate(seconds(20)), 0);
  EXPECT_EQ(gateway_process.terminate(seconds(20)), 0);
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace tdemo
