// The load tester against a small counting HTTP server in this process: request counts and
// mixes as asked, reported figures equal to what the server counted, timeouts and connect
// failures reported by cause; and the `load-test` subcommand end to end (JSON, thresholds,
// bad arguments).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>

#include "loadgen/load_runner.h"
#include "support/process.h"

namespace tdemo::loadgen {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;

// HTTP/1.1 keep-alive server on 127.0.0.1: "/missing" answers 404, "/hang" never answers,
// anything else 200 {"status":"ok"}. Counts requests by "METHOD path". One thread.
class CountingServer {
 public:
  CountingServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~CountingServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::map<std::string, std::uint64_t> counts() {
    std::lock_guard lock(mutex_);
    return counts_;
  }
  std::uint64_t total() {
    std::uint64_t n = 0;
    for (const auto& [k, v] : counts()) n += v;
    return n;
  }

 private:
  asio::awaitable<void> accept() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    std::string buffer;
    char chunk[4096];
    boost::system::error_code ec;
    while (true) {
      std::size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const auto n = co_await socket.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        buffer.append(chunk, n);
      }
      const std::string head = buffer.substr(0, head_end);
      std::size_t length = 0;
      if (const auto cl = head.find("Content-Length: "); cl != std::string::npos) length = std::stoul(head.substr(cl + 16));
      while (buffer.size() < head_end + 4 + length) {
        const auto n = co_await socket.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        buffer.append(chunk, n);
      }
      buffer.erase(0, head_end + 4 + length);
      const auto first_space = head.find(' ');
      const auto second_space = head.find(' ', first_space + 1);
      const std::string method = head.substr(0, first_space);
      const std::string path = head.substr(first_space + 1, second_space - first_space - 1);
      {
        std::lock_guard lock(mutex_);
        ++counts_[method + " " + path];
      }
      if (path == "/hang") {
        asio::steady_timer timer(io_, std::chrono::seconds(30));
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      const bool missing = path == "/missing";
      const std::string body = missing ? R"({"detail":"Not Found"})" : R"({"status":"ok"})";
      const std::string response = std::string(missing ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 200 OK") +
                                   "\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body;
      co_await asio::async_write(socket, asio::buffer(response), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }

  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;
  std::thread thread_;
};

test::ProcessOptions command(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  test::ProcessOptions options;
  options.args = std::move(args);
  options.env = std::move(env);
  return options;
}

LoadOptions closed_loop(const std::string& url, const std::string& mix, std::uint32_t users, std::uint64_t requests) {
  LoadTestArgs a;
  a.target = url;
  a.mix = mix;
  a.users = users;
  a.requests = requests;
  a.threads = 2;
  auto o = make_load_options(a);
  EXPECT_TRUE(o) << o.error();
  return o.value();
}

TEST(LoadTester, ClosedLoopSendsExactlyTheMixAndReportsWhatTheServerCounted) {
  CountingServer server;
  const auto options = closed_loop(server.url(), "GET /a=3,GET /missing=1", 4, 24);
  auto result = run_load(options, nullptr);
  ASSERT_TRUE(result) << result.error();
  const auto& s = result.value().stats;
  const auto counts = server.counts();
  EXPECT_EQ(counts.at("GET /a"), 72u);
  EXPECT_EQ(counts.at("GET /missing"), 24u);
  EXPECT_EQ(server.total(), 96u);
  EXPECT_EQ(s.requests(), server.total());
  EXPECT_EQ(s.responses(), server.total());
  EXPECT_EQ(s.endpoints()[0].requests, counts.at("GET /a"));
  EXPECT_EQ(s.endpoints()[1].requests, counts.at("GET /missing"));
  EXPECT_EQ(s.status_count(200), 72u);
  EXPECT_EQ(s.status_count(404), 24u);
  EXPECT_EQ(s.errors(), 24u);
  EXPECT_EQ(result.value().connections_opened, 4u);  // keep-alive: one connection per user
  EXPECT_GT(s.latency().min(), 0u);
  EXPECT_LE(s.latency().percentile(50), s.latency().percentile(99));
  std::uint64_t in_timeline = 0;
  for (const auto& p : result.value().timeline) in_timeline += p.requests;
  EXPECT_EQ(in_timeline, 96u);
}

TEST(LoadTester, RampUpStartsUsersOverTime) {
  CountingServer server;
  auto options = closed_loop(server.url(), "GET /a=1", 3, 2);
  options.ramp_up = std::chrono::milliseconds(300);
  auto result = run_load(options, nullptr);
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(server.total(), 6u);
  // The last user starts at 2/3 of the ramp-up: the run cannot end before that.
  EXPECT_GE(result.value().elapsed, std::chrono::milliseconds(200));
}

TEST(LoadTester, OpenLoopSendsTheScheduledCount) {
  CountingServer server;
  LoadOptions options = closed_loop(server.url(), "GET /a=1,GET /b=1", 8, 1);
  options.mode = LoadOptions::Mode::kOpenLoop;
  options.rate = 400;
  options.duration = std::chrono::milliseconds(500);
  UnsampledTraceparents tracer;
  options.traceparent = true;
  auto result = run_load(options, &tracer);
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result.value().scheduled, 200u);
  EXPECT_EQ(server.total(), 200u);
  EXPECT_EQ(result.value().stats.requests(), 200u);
  EXPECT_EQ(server.counts().at("GET /a"), 100u);
  EXPECT_EQ(result.value().send_lag.count(), 200u);
}

TEST(LoadTester, TimeoutsAndConnectFailuresAreReportedByCause) {
  CountingServer server;
  auto options = closed_loop(server.url(), "GET /hang=1", 2, 2);
  options.timeout = std::chrono::milliseconds(200);
  auto result = run_load(options, nullptr);
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result.value().stats.failure_count(FailureCause::kTimeout), 4u);
  EXPECT_EQ(result.value().stats.errors(), 4u);

  const auto free = test::free_port();
  auto refused = closed_loop("http://127.0.0.1:" + std::to_string(free), "GET /a=1", 2, 3);
  auto failed = run_load(refused, nullptr);
  ASSERT_TRUE(failed) << failed.error();
  EXPECT_EQ(failed.value().stats.failure_count(FailureCause::kConnect), 6u);
}

TEST(LoadTester, StopFlagEndsADurationRunEarly) {
  CountingServer server;
  LoadTestArgs a;
  a.target = server.url();
  a.users = 2;
  a.duration_s = 30;
  a.requests = 0;
  auto options = make_load_options(a);
  ASSERT_TRUE(options) << options.error();
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  auto result = run_load(options.value(), nullptr, {}, &stop);
  stopper.join();
  ASSERT_TRUE(result) << result.error();
  EXPECT_TRUE(result.value().interrupted);
  EXPECT_EQ(result.value().stats.requests(), server.total());
  EXPECT_LT(result.value().elapsed, std::chrono::seconds(20));
}

TEST(LoadTestCommand, WritesJsonThatAgreesWithTheServerAndAppliesThresholds) {
  CountingServer server;
  const std::string json_path = ::testing::TempDir() + "loadgen_cli_report.json";
  const std::string html_path = ::testing::TempDir() + "loadgen_cli_report.html";
  test::Process ok(TD_BINARY, command({"load-test", "--target", server.url(), "--users", "3", "--requests", "10",
                                        "--mix", "GET /x=1,GET /missing=1", "--json", json_path, "--html", html_path}));
  ASSERT_EQ(ok.wait_for(std::chrono::seconds(60)), 0) << ok.stderr_text();
  EXPECT_NE(ok.stdout_text().find("requests     30"), std::string::npos) << ok.stdout_text();
  const auto report = boost::json::parse(test::read_text_file(json_path)).as_object();
  EXPECT_EQ(report.at("requests").to_number<std::uint64_t>(), server.total());
  EXPECT_EQ(report.at("statuses").as_object().at("404").to_number<std::uint64_t>(), server.counts().at("GET /missing"));
  EXPECT_NE(test::read_text_file(html_path).find("<svg"), std::string::npos);

  test::Process failing(TD_BINARY, command({"load-test", "--target", server.url(), "--users", "2", "--requests", "4",
                                             "--mix", "GET /x=1,GET /missing=1", "--max-error-rate", "0.1"}));
  EXPECT_EQ(failing.wait_for(std::chrono::seconds(60)), 1);
  EXPECT_NE(failing.stdout_text().find("FAILED       error rate 50.00%"), std::string::npos) << failing.stdout_text();

  test::Process bad(TD_BINARY, command({"load-test", "--users", "0"}));
  EXPECT_EQ(bad.wait_for(std::chrono::seconds(30)), 2);
  EXPECT_NE(bad.stderr_text().find("bad --users 0"), std::string::npos) << bad.stderr_text();

  test::Process bad_mix(TD_BINARY, command({"load-test", "--mix", "GET /a=zero"}));
  EXPECT_EQ(bad_mix.wait_for(std::chrono::seconds(30)), 2);
  EXPECT_NE(bad_mix.stderr_text().find("bad weight"), std::string::npos) << bad_mix.stderr_text();
}

TEST(TrafficCommand, StressModeReportsTheAchievedRate) {
  CountingServer server;
  test::Process stress(TD_BINARY, command({"traffic", "--mode", "stress", "--target", server.url(), "--rps", "200",
                                            "--duration", "1", "--mix", "GET /s=1", "--sample-rate", "0"},
                                           {{"OTEL_TRACES_EXPORTER", "none"}}));
  ASSERT_EQ(stress.wait_for(std::chrono::seconds(60)), 0) << stress.stderr_text();
  EXPECT_EQ(server.counts().at("GET /s"), 200u);
  EXPECT_NE(stress.stdout_text().find("requested 200 req/s"), std::string::npos) << stress.stdout_text();
}

}  // namespace
}  // namespace tdemo::loadgen
