// The four services as four processes (as in production): they find each other through
// USERS_URL / ORDERS_URL / PAYMENTS_URL, and a stopped service turns into 502/503/504 answers
// that name it, an unhealthy /health (503) and a failing `tracing-demo health`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <boost/json.hpp>

#include "support/http_client.h"
#include "support/process.h"

namespace tdemo {
namespace {

using test::http_get;
using test::http_post;

class ServicesSeparateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = ::testing::TempDir() + "services_separate_" + std::to_string(::getpid());
    std::filesystem::remove_all(data_dir_);
    const auto ports = test::free_ports(4);
    for (int i = 0; i < 4; ++i) urls_[i] = "http://127.0.0.1:" + std::to_string(ports[i]);
    const char* roles[] = {"gateway", "users", "orders", "payments"};
    for (int i = 3; i >= 0; --i) start(i, roles[i], ports[i]);
    for (const auto& url : urls_) {
      ASSERT_TRUE(test::wait_for_http(url + "/openapi.json", std::chrono::seconds(30))) << url;
    }
  }
  void TearDown() override {
    for (auto& process : processes_) {
      if (process && process->running()) {
        EXPECT_EQ(process->terminate(std::chrono::seconds(20)), 0);
      }
    }
    std::filesystem::remove_all(data_dir_);
  }

  void start(int index, const std::string& role, std::uint16_t port) {
    test::ProcessOptions options;
    options.args = {role, "--port", std::to_string(port), "--data-dir", data_dir_,
                    "--payment-decline-rate", "0", "--downstream-timeout-ms", "3000", "--io-threads", "1"};
    options.env = {{"USERS_URL", urls_[1]}, {"ORDERS_URL", urls_[2]}, {"PAYMENTS_URL", urls_[3]},
                   {"OTEL_TRACES_EXPORTER", "none"}};
    options.unset_env = {"OTEL_SERVICE_NAME", "SERVICE_NAME"};
    processes_[index] = std::make_unique<test::Process>(TD_BINARY, options);
  }

  std::string gateway(const std::string& path) const { return urls_[0] + path; }

  std::string data_dir_;
  std::string urls_[4];
  std::unique_ptr<test::Process> processes_[4];
};

boost::json::object json_object(const test::HttpResponse& response) {
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body, ec);
  return !ec && value.is_object() ? value.as_object() : boost::json::object{};
}

TEST_F(ServicesSeparateTest, FullFlowWorksAcrossFourProcesses) {
  auto flow = http_get(gateway("/demo/full-flow/1"));
  ASSERT_EQ(flow.status, 200) << flow.body;
  EXPECT_EQ(json_object(flow).at("result").as_string(), "completed");
  auto health = http_get(gateway("/health"));
  EXPECT_EQ(health.status, 200) << health.body;
}

// A service holds its SQLite file for as long as it runs (storage/sqlite.cc: the unix-excl VFS):
// a second users service on the same data directory stops at start-up with an error that says
// so, and the first one goes on serving.
TEST_F(ServicesSeparateTest, ASecondProcessOnTheSameDatabaseIsRefusedClearly) {
  test::ProcessOptions options;
  options.args = {"users", "--port", std::to_string(test::free_port()), "--data-dir", data_dir_,
                  "--io-threads", "1"};
  options.env = {{"OTEL_TRACES_EXPORTER", "none"}};
  test::Process second(TD_BINARY, options);
  const auto exit_code = second.wait_for(std::chrono::seconds(30));
  ASSERT_TRUE(exit_code.has_value()) << "the second users service did not stop";
  EXPECT_NE(*exit_code, 0);
  EXPECT_NE(second.stderr_text().find("users.db is locked: another process has it open"),
            std::string::npos)
      << second.stderr_text();
  auto user = http_get(urls_[1] + "/users/1");
  EXPECT_EQ(user.status, 200) << user.body;
}

// libpq is loaded only for a postgresql:// DATABASE_URL (storage/postgres/libpq.h): services on
// SQLite, having served a full flow with its database writes, do not map it or its ~20
// dependencies (Kerberos, LDAP, GnuTLS), ~3.3 MB of each process's resident memory.
TEST_F(ServicesSeparateTest, ServicesOnSqliteDoNotLoadLibpq) {
  ASSERT_EQ(http_get(gateway("/demo/full-flow/1")).status, 200);
  for (const auto& process : processes_) {
    std::ifstream maps("/proc/" + std::to_string(process->pid()) + "/maps");
    ASSERT_TRUE(maps.good());
    std::string line;
    bool sqlite = false;
    while (std::getline(maps, line)) {
      EXPECT_EQ(line.find("libpq.so"), std::string::npos) << line;
      EXPECT_EQ(line.find("libgssapi"), std::string::npos) << line;
      sqlite |= line.find("libsqlite3") != std::string::npos;
    }
    EXPECT_TRUE(sqlite) << "no libsqlite3 mapped: is /proc/<pid>/maps read right?";
  }
}

TEST_F(ServicesSeparateTest, AStoppedServiceIsNamedInTheError) {
  // Stop users: the gateway's user routes answer 503 naming users; orders (which needs users)
  // fails the same way, and the gateway passes the name on.
  ASSERT_EQ(processes_[1]->terminate(std::chrono::seconds(20)), 0);
  auto user = http_get(gateway("/users/1"));
  EXPECT_EQ(user.status, 503) << user.body;
  EXPECT_EQ(json_object(user)["service"], "users") << user.body;

  auto order = http_post(gateway("/orders"), R"({"user_id": 1, "amount": 10})");
  EXPECT_GE(order.status, 502) << order.body;
  EXPECT_LE(order.status, 504) << order.body;
  EXPECT_EQ(json_object(order)["service"], "users") << order.body;

  auto health = http_get(gateway("/health"));
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(json_object(health)["dependencies"].as_object()["users"].as_object()["status"], "unhealthy");

  test::ProcessOptions options;
  options.args = {"health", "--target", urls_[0]};
  test::Process check(TD_BINARY, options);
  EXPECT_EQ(check.wait_for(std::chrono::seconds(20)), 1) << check.stdout_text();

  // Payments down: 503 naming payments.
  ASSERT_EQ(processes_[3]->terminate(std::chrono::seconds(20)), 0);
  auto payment = http_post(gateway("/payments"),
                           R"({"order_id": 1, "amount": 10, "card_number": "4242424242424242"})");
  EXPECT_EQ(payment.status, 503) << payment.body;
  EXPECT_EQ(json_object(payment)["service"], "payments");
}

TEST_F(ServicesSeparateTest, HealthCommandSucceedsWhenAllAreUp) {
  test::ProcessOptions options;
  options.args = {"health", "--target", urls_[0]};
  test::Process check(TD_BINARY, options);
  EXPECT_EQ(check.wait_for(std::chrono::seconds(20)), 0) << check.stdout_text() << check.stderr_text();
}

}  // namespace
}  // namespace tdemo
