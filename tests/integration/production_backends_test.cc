// Issue 7 acceptance: `tracing-demo all` with DATABASE_URL and REDIS_URL pointing at a real
// PostgreSQL and Redis (started by this test on private ports) serves the full flow; its trace
// contains PostgreSQL and Redis spans; a second user lookup is a cache hit; Redis going away
// degrades to the database with an ERROR cache span, never a failed request.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"
#include "support/servers.h"
#include "support/span_capture.h"

namespace tdemo {
namespace {

using std::chrono::milliseconds;
using test::SpanCapture;
using test::bool_attribute;
using test::string_attribute;

// Polls `done` every 50 ms for at most 20 s (a bound against hangs, not a timing assertion).
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

std::string trace_id_from_traceresponse(const test::HttpResponse& response) {
  // traceresponse: 00-<trace id>-<span id>-<flags>
  auto header = response.header("traceresponse");
  if (!header || header->size() < 35) return {};
  return header->substr(3, 32);
}

// True when `tracing-demo all --help` offers --database-url (the services read DATABASE_URL).
bool binary_selects_backends() {
  test::ProcessOptions options;
  options.args = {"all", "--help"};
  test::Process help(TD_BINARY, options);
  help.wait_for(std::chrono::seconds(20));
  return (help.stdout_text() + help.stderr_text()).find("--database-url") != std::string::npos;
}

class ProductionBackendsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::find_postgres_bin_dir() || !test::find_redis_server()) {
      GTEST_SKIP() << "PostgreSQL server binaries or redis-server not found: skipped";
    }
    if (!binary_selects_backends()) {
      GTEST_SKIP() << "tracing-demo all has no --database-url / DATABASE_URL yet (the services "
                      "do not select the storage backends): skipped";
    }
    postgres_ = std::make_unique<test::PostgresServer>();
    redis_ = std::make_unique<test::RedisServer>();
    data_dir_ = std::filesystem::temp_directory_path() /
                ("tdemo-production-" + std::to_string(getpid()));
    std::filesystem::create_directories(data_dir_);
    base_port_ = test::free_port_range(4);
    test::ProcessOptions options;
    options.args = {"all", "--base-port", std::to_string(base_port_), "--trace-store=off",
                    "--data-dir", data_dir_.string()};
    options.env = {{"DATABASE_URL", postgres_->url()},
                   {"REDIS_URL", redis_->url()},
                   {"OTEL_EXPORTER_OTLP_ENDPOINT", capture_.endpoint()},
                   {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                   {"OTEL_BSP_SCHEDULE_DELAY", "100"},
                   {"OTEL_TRACES_SAMPLER", "always_on"},
                   {"PAYMENT_DECLINE_RATE", "0"}};
    options.unset_env = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"};
    process_ = std::make_unique<test::Process>(TD_BINARY, options);
    ASSERT_TRUE(test::wait_for_http(gateway("/health"), std::chrono::seconds(30), true))
        << process_->stderr_text();
  }

  void TearDown() override {
    if (process_) process_->terminate();
    process_.reset();
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
  }

  std::string gateway(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(base_port_) + path;
  }

  SpanCapture capture_;
  std::unique_ptr<test::PostgresServer> postgres_;
  std::unique_ptr<test::RedisServer> redis_;
  std::filesystem::path data_dir_;
  std::uint16_t base_port_ = 0;
  std::unique_ptr<test::Process> process_;
};

TEST_F(ProductionBackendsTest, FullFlowHasPostgresAndRedisSpansAndTheSecondLookupHits) {
  auto flow = test::http_get(gateway("/demo/full-flow/1"));
  ASSERT_EQ(flow.status, 200) << flow.body << process_->stderr_text();
  const auto body = boost::json::parse(flow.body).as_object();
  const std::string trace(body.at("trace_id").as_string());
  ASSERT_EQ(trace.size(), 32u);

  // The whole flow's spans arrive: PostgreSQL spans from all three data services, and the
  // Redis lookup of the user.
  std::vector<telemetry::SpanData> spans;
  auto has_postgres_for = [&](const char* table) {
    for (const auto& s : spans) {
      if (string_attribute(s, "db.system.name") == "postgresql" &&
          string_attribute(s, "db.collection.name") == table) {
        return true;
      }
    }
    return false;
  };
  auto has_redis_get = [&] {
    for (const auto& s : spans) {
      if (string_attribute(s, "db.system.name") == "redis" && string_attribute(s, "db.operation.name") == "GET") {
        return true;
      }
    }
    return false;
  };
  // Each service exports in its own batches: wait for all of them, not just the first to land.
  ASSERT_TRUE(eventually([&] {
    spans = capture_.trace(trace);
    return has_postgres_for("orders") && has_postgres_for("payments") && has_redis_get();
  })) << "spans of the trace: " << spans.size();
  bool redis_get = false;
  for (const auto& s : spans) {
    if (string_attribute(s, "db.system.name") == "redis" &&
        string_attribute(s, "db.operation.name") == "GET") {
      redis_get = true;
      EXPECT_EQ(string_attribute(s, "server.address"), "127.0.0.1");
    }
    if (string_attribute(s, "db.system.name") == "postgresql") {
      EXPECT_EQ(string_attribute(s, "db.namespace"), "tdemo");
      EXPECT_EQ(string_attribute(s, "server.address"), "127.0.0.1");
      EXPECT_NE(string_attribute(s, "db.query.text").find('$'), std::string::npos);
    }
  }
  EXPECT_TRUE(redis_get);

  // Two lookups of one user: the second comes from Redis.
  auto first = test::http_get(gateway("/users/2"));
  ASSERT_EQ(first.status, 200) << first.body;
  auto second = test::http_get(gateway("/users/2"));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(boost::json::parse(first.body), boost::json::parse(second.body));
  const std::string second_trace = trace_id_from_traceresponse(second);
  ASSERT_EQ(second_trace.size(), 32u);
  std::vector<telemetry::SpanData> lookup;
  ASSERT_TRUE(eventually([&] {
    lookup = capture_.trace(second_trace);
    for (const auto& s : lookup) {
      if (string_attribute(s, "db.system.name") == "redis" && bool_attribute(s, "cache.hit")) {
        return true;
      }
    }
    return false;
  }));
  for (const auto& s : lookup) {
    if (string_attribute(s, "db.system.name") == "redis") {
      EXPECT_EQ(bool_attribute(s, "cache.hit"), true) << s.name;
    }
    EXPECT_NE(string_attribute(s, "db.system.name"), "postgresql")
        << "a cache hit does not query the database";
  }
}

TEST_F(ProductionBackendsTest, RedisDownDegradesToTheDatabaseWithAnErrorSpan) {
  redis_->kill();
  auto response = test::http_get(gateway("/users/3"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.body.find("carol@example.com"), std::string::npos);
  const std::string trace = trace_id_from_traceresponse(response);
  ASSERT_EQ(trace.size(), 32u);
  std::vector<telemetry::SpanData> spans;
  ASSERT_TRUE(eventually([&] {
    spans = capture_.trace(trace);
    bool error_cache = false, database = false;
    for (const auto& s : spans) {
      error_cache |= string_attribute(s, "db.system.name") == "redis" &&
                     s.status_code == telemetry::StatusCode::kError;
      database |= string_attribute(s, "db.system.name") == "postgresql";
    }
    return error_cache && database;
  })) << "spans of the trace: " << spans.size();
}

}  // namespace
}  // namespace tdemo
