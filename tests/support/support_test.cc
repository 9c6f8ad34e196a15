#include <signal.h>

#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo::test {
namespace {

using namespace std::chrono_literals;

TEST(SupportTest, FreePortsAreDistinctAndBindable) {
  auto ports = free_ports(3);
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_NE(ports[0], ports[1]);
  EXPECT_NE(free_port(), 0);
  const auto base = free_port_range(4);
  EXPECT_GT(base, 0);
}

// No port is handed out twice in a process, though nothing listens on the earlier ones: a test
// that takes ports and a range before starting its servers gets no port twice. (Random
// draws: the 400 ports below, from the 12,000 test ports, repeat one with a probability of
// 99.9% when nothing is kept.)
TEST(SupportTest, NoPortIsHandedOutTwice) {
  std::set<std::uint16_t> seen;
  for (int i = 0; i < 100; ++i) {
    for (const auto port : free_ports(2)) EXPECT_TRUE(seen.insert(port).second) << port;
    const auto base = free_port_range(2);
    EXPECT_TRUE(seen.insert(base).second) << base;
    EXPECT_TRUE(seen.insert(static_cast<std::uint16_t>(base + 1)).second) << base + 1;
  }
}

TEST(SupportTest, ProcessCapturesOutputAndExitCode) {
  ProcessOptions options;
  options.args = {"-c", "echo out-$TD_X; echo err >&2; exit 3"};
  options.env = {{"TD_X", "yes"}};
  Process p("/bin/sh", options);
  EXPECT_EQ(p.wait_for(10s), 3);
  EXPECT_EQ(p.stdout_text(), "out-yes\n");
  EXPECT_EQ(p.stderr_text(), "err\n");
  EXPECT_FALSE(p.running());
}

TEST(SupportTest, TerminateStopsAndReportsSignal) {
  ProcessOptions options;
  options.args = {"60"};
  Process p("/bin/sleep", options);
  EXPECT_TRUE(p.running());
  EXPECT_EQ(p.terminate(5s), 128 + SIGTERM);
  EXPECT_FALSE(p.running());
}

TEST(SupportTest, MissingBinaryFailsToStartOrExits127) {
  // posix_spawn reports a missing file either as an error or as exit status 127.
  try {
    Process p("/nonexistent/binary");
    EXPECT_EQ(p.wait_for(5s), 127);
  } catch (const std::runtime_error&) {
    SUCCEED();
  }
}

TEST(SupportTest, HttpClientAgainstTinyServer) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::thread server([&] {
    for (int i = 0; i < 2; ++i) {
      asio::ip::tcp::socket socket(io);
      acceptor.accept(socket);
      asio::streambuf request;
      asio::read_until(socket, request, "\r\n\r\n");
      const std::string reply =
          "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-Test: yes\r\n"
          "Content-Length: 5\r\nConnection: close\r\n\r\nhello";
      asio::write(socket, asio::buffer(reply));
    }
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto r = http_post(base + "/x", "{}");
  EXPECT_EQ(r.status, 201) << r.error;
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.header("x-test"), "yes");
  auto raw = raw_exchange("127.0.0.1", port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5s);
  EXPECT_EQ(raw.rfind("HTTP/1.1 201 Created", 0), 0u);
  server.join();
}

TEST(SupportTest, NeverHangsOnDeadOrSilentPeers) {
  const auto closed = free_port();
  auto r = http_get("http://127.0.0.1:" + std::to_string(closed) + "/", {}, 2s);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.error.empty());
  // A listener that never answers: the call returns after its timeout.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto s = http_get("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/", {}, 300ms);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(wait_for_http("http://127.0.0.1:" + std::to_string(closed) + "/", 300ms));
}

}  // namespace
}  // namespace tdemo::test
