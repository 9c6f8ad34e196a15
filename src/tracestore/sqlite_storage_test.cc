#include "tracestore/sqlite_storage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "tracestore/test_spans.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {

constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;

class SqliteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("tracestore_sqlite_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  std::unique_ptr<SqliteSpanStorage> open() {
    std::string error;
    auto storage = SqliteSpanStorage::open({.path = path_.string(), .synchronous_full = false}, error);
    EXPECT_TRUE(storage) << error;
    return storage;
  }
  std::filesystem::path path_;
};

TEST_F(SqliteStorageTest, WritesReopensAndReads) {
  auto res = testing::resource("users");
  std::vector<std::unique_ptr<telemetry::SpanData>> spans;
  spans.push_back(std::make_unique<telemetry::SpanData>(testing::span(1, 1, 0, "root", res, kT0, 100)));
  auto child = testing::span(1, 2, 1, "child", res, kT0 + 10, 50);
  child.attributes = {{"k", std::string("v")}, {"n", std::int64_t{3}}};
  child.events.push_back({"evt", kT0 + 20, {{"a", true}}, 0});
  child.status_code = telemetry::StatusCode::kError;
  child.status_message = "bad";
  child.kind = telemetry::SpanKind::kClient;
  spans.push_back(std::make_unique<telemetry::SpanData>(child));
  {
    auto storage = open();
    ASSERT_EQ(storage->append(spans), std::nullopt);
    EXPECT_EQ(storage->span_count(), 2u);
  }
  auto storage = open();
  TraceStore store;
  EXPECT_EQ(storage->load_into(store, 0), 2u);
  auto trace = store.get_trace(testing::trace_id(1));
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->spans.size(), 2u);
  const auto& loaded = trace->spans[1];
  EXPECT_EQ(loaded.name, "child");
  EXPECT_EQ(loaded.parent_span_id, testing::span_id(1));
  EXPECT_EQ(loaded.kind, telemetry::SpanKind::kClient);
  EXPECT_EQ(loaded.status_code, telemetry::StatusCode::kError);
  EXPECT_EQ(loaded.status_message, "bad");
  EXPECT_EQ(loaded.attributes, child.attributes);
  ASSERT_EQ(loaded.events.size(), 1u);
  EXPECT_EQ(loaded.events[0].time_unix_nano, kT0 + 20);
  EXPECT_EQ(loaded.resource->attributes, res->attributes);
  EXPECT_EQ(loaded.scope->name, "tdemo");
  EXPECT_EQ(loaded.end_time_unix_nano, kT0 + 60);
  EXPECT_EQ(store.services(), std::vector<std::string>{"users"});
}

TEST_F(SqliteStorageTest, RetentionDeletesOldSpansAndLoadSkipsThem) {
  auto res = testing::resource("svc");
  std::vector<std::unique_ptr<telemetry::SpanData>> spans;
  for (std::uint64_t i = 1; i <= 4; ++i) {
    spans.push_back(std::make_unique<telemetry::SpanData>(testing::span(i, 1, 0, "op", res, kT0 + i * 1000, 1)));
  }
  auto storage = open();
  ASSERT_EQ(storage->append(spans), std::nullopt);
  TraceStore recent;
  EXPECT_EQ(storage->load_into(recent, kT0 + 3000), 2u);
  EXPECT_EQ(storage->delete_older_than(kT0 + 2500), 2u);
  EXPECT_EQ(storage->span_count(), 2u);
  TraceStore all;
  EXPECT_EQ(storage->load_into(all, 0), 2u);
  EXPECT_FALSE(all.get_trace(testing::trace_id(1)));
  EXPECT_TRUE(all.get_trace(testing::trace_id(4)));
}

TEST_F(SqliteStorageTest, OpenFailsCleanlyOnABadPath) {
  std::string error;
  auto storage = SqliteSpanStorage::open({.path = "/nonexistent-dir/x/y.db"}, error);
  EXPECT_FALSE(storage);
  EXPECT_NE(error, "");
}

}  // namespace
}  // namespace tdemo::tracestore
