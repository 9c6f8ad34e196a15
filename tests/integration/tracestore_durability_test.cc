// `tracing-demo traces --storage sqlite:PATH`: SIGKILL while ingesting loses nothing that was
// answered 200; a restart reloads the spans; retention drops old ones on start.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "support/http_client.h"
#include "support/process.h"
#include "support/trace_store_process.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "tracestore/test_spans.h"

namespace tdemo {
namespace {
namespace json = boost::json;

constexpr std::uint64_t kMs = 1'000'000ULL;
constexpr int kSpansPerTrace = 5;

std::string encoded_trace(std::uint64_t trace, std::uint64_t start_ns) {
  auto res = tracestore::testing::resource("durable");
  telemetry::SpanBatch batch;
  for (int i = 1; i <= kSpansPerTrace; ++i) {
    batch.push_back(std::make_unique<telemetry::SpanData>(tracestore::testing::span(
        trace, static_cast<std::uint64_t>(i), i == 1 ? 0 : 1, "op" + std::to_string(i), res, start_ns, kMs)));
  }
  return telemetry::otlp::encode_protobuf(batch);
}

class DurableStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tracestore_durable_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<test::Process> start(std::vector<std::string> extra = {}) {
    const auto ports = test::free_ports(2);
    otlp_ = "http://127.0.0.1:" + std::to_string(ports[0]);
    ui_ = "http://127.0.0.1:" + std::to_string(ports[1]);
    std::vector<std::string> args = {"traces", "--no-grpc", "--otlp-http-port", std::to_string(ports[0]), "--ui-port",
                                     std::to_string(ports[1]), "--storage", "sqlite:" + (dir_ / "spans.db").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    test::ProcessOptions options;
    options.args = args;
    auto p = std::make_unique<test::Process>(TD_BINARY, options);
    EXPECT_TRUE(test::wait_for_http(ui_ + "/api/services")) << p->stderr_text();
    return p;
  }
  int post(const std::string& body) {
    return test::http_request("POST", otlp_ + "/v1/traces", body, {{"Content-Type", "application/x-protobuf"}},
                              std::chrono::seconds(5)).status;
  }
  std::size_t spans_of(std::uint64_t trace) {
    auto r = test::http_get(ui_ + "/api/traces/" + test::trace_hex(trace));
    if (r.status != 200) return 0;
    return json::parse(r.body).at("data").as_array().at(0).at("spans").as_array().size();
  }

  std::filesystem::path dir_;
  std::string otlp_, ui_;
};

TEST_F(DurableStore, SigkillDuringIngestLosesNoAcknowledgedSpan) {
  auto store = start();
  std::mutex mutex;
  std::vector<std::uint64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> next{1};
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&] {
      while (!stop) {
        const std::uint64_t trace = next++;
        if (post(encoded_trace(trace, test::now_unix_ns())) == 200) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(trace);
        }
      }
    });
  }
  // Let some requests through, then kill the store in the middle of the stream.
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mutex);
      if (acknowledged.size() >= 60) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  store->signal(SIGKILL);
  store->wait_for(std::chrono::seconds(10));
  stop = true;
  for (auto& t : senders) t.join();
  ASSERT_GE(acknowledged.size(), 10u) << "too few acknowledged requests to be meaningful";

  store = start();
  std::size_t missing = 0;
  for (std::uint64_t trace : acknowledged) {
    if (spans_of(trace) != kSpansPerTrace) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged traces";
}

TEST_F(DurableStore, RestartReloadsAndRetentionDropsOldSpans) {
  {
    auto store = start();
    ASSERT_EQ(post(encoded_trace(1, test::now_unix_ns())), 200);
    ASSERT_EQ(post(encoded_trace(2, test::now_unix_ns() - 100ULL * 3600 * 1'000'000'000ULL)), 200);  // 100 h old
    EXPECT_EQ(spans_of(2), static_cast<std::size_t>(kSpansPerTrace));
    store->terminate();
  }
  auto store = start({"--retention", "72h"});
  EXPECT_EQ(spans_of(1), static_cast<std::size_t>(kSpansPerTrace));
  EXPECT_EQ(spans_of(2), 0u);
}

}  // namespace
}  // namespace tdemo
