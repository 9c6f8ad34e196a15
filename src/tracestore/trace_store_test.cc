#include "tracestore/trace_store.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "tracestore/test_spans.h"

namespace tdemo::tracestore {
namespace {

using testing::resource;
using testing::span;
using testing::trace_id;

constexpr std::uint64_t kSec = 1'000'000'000ULL;
constexpr std::uint64_t kT0 = 1'700'000'000ULL * kSec;

TraceQuery all_of(const std::string& service) {
  TraceQuery q;
  q.service = service;
  q.limit = 100;
  return q;
}

class TraceStoreTest : public ::testing::Test {
 protected:
  void add(std::vector<telemetry::SpanData> spans) { store.add(std::span<const telemetry::SpanData>(spans)); }
  TraceStore store;
  std::shared_ptr<const telemetry::Resource> gateway = resource("gateway");
  std::shared_ptr<const telemetry::Resource> users = resource("users");
};

TEST_F(TraceStoreTest, StoresAndReturnsATrace) {
  add({span(1, 1, 0, "GET /users/1", gateway, kT0, 5000), span(1, 2, 1, "SELECT", users, kT0 + 10, 100)});
  auto trace = store.get_trace(trace_id(1));
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->spans.size(), 2u);
  EXPECT_EQ(trace->spans[1].name, "SELECT");
  EXPECT_EQ(trace->spans[1].parent_span_id, testing::span_id(1));
  EXPECT_EQ(trace->spans[1].resource->attributes[0].value, telemetry::AttributeValue(std::string("users")));
  EXPECT_EQ(trace->spans[0].scope->name, "tdemo");
  EXPECT_FALSE(store.get_trace(trace_id(2)));
}

// Spans of one scope share its object; the store looks a scope up once per run of spans
// sharing it, and must still tell scopes apart when runs alternate.
TEST_F(TraceStoreTest, KeepsEachSpansScopeWhenScopesAlternate) {
  auto scope_a = std::make_shared<const telemetry::InstrumentationScope>(
      telemetry::InstrumentationScope{"scope.a", "1.0", ""});
  auto scope_b = std::make_shared<const telemetry::InstrumentationScope>(
      telemetry::InstrumentationScope{"scope.b", "2.0", ""});
  std::vector<telemetry::SpanData> spans;
  for (std::uint64_t i = 1; i <= 5; ++i) {
    spans.push_back(span(1, i, i == 1 ? 0 : 1, "op", gateway, kT0 + i, 10));
    spans.back().scope = (i == 2 || i == 3) ? scope_b : scope_a;
  }
  add(spans);
  add({span(1, 6, 1, "op", gateway, kT0 + 6, 10)});  // the helper's own scope, another call
  auto trace = store.get_trace(trace_id(1));
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->spans.size(), 6u);
  std::map<std::uint64_t, std::string> scope_of;
  for (const auto& s : trace->spans) {
    for (std::uint64_t i = 1; i <= 6; ++i) {
      if (s.context.span_id() == testing::span_id(i)) scope_of[i] = s.scope->name + "@" + s.scope->version;
    }
  }
  EXPECT_EQ(scope_of[1], "scope.a@1.0");
  EXPECT_EQ(scope_of[2], "scope.b@2.0");
  EXPECT_EQ(scope_of[3], "scope.b@2.0");
  EXPECT_EQ(scope_of[4], "scope.a@1.0");
  EXPECT_EQ(scope_of[5], "scope.a@1.0");
  EXPECT_EQ(scope_of[6], "tdemo@1.0");
}

TEST_F(TraceStoreTest, MergesSpansOfATraceAcrossRequests) {
  add({span(1, 2, 1, "child", users, kT0 + 50, 10)});
  add({span(1, 1, 0, "root", gateway, kT0, 500)});
  auto trace = store.get_trace(trace_id(1));
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->spans.size(), 2u);
  EXPECT_EQ(store.stats().traces_stored, 1u);
  EXPECT_EQ(store.stats().spans_stored, 2u);
  // The trace's start moved back to the root's start: a window that starts at kT0 finds it.
  TraceQuery q = all_of("gateway");
  q.start_min_ns = kT0;
  q.start_max_ns = kT0 + 1;
  EXPECT_EQ(store.find_trace_ids(q).size(), 1u);
}

TEST_F(TraceStoreTest, RejectsInvalidIds) {
  auto bad_trace = span(1, 1, 0, "x", gateway, kT0, 1);
  bad_trace.context = telemetry::SpanContext(telemetry::TraceId{}, testing::span_id(1), 0, false);
  auto bad_span = span(1, 1, 0, "x", gateway, kT0, 1);
  bad_span.context = telemetry::SpanContext(trace_id(1), telemetry::SpanId{}, 0, false);
  std::vector<telemetry::SpanData> spans{bad_trace, bad_span, span(2, 1, 0, "ok", gateway, kT0, 1)};
  auto result = store.add(std::span<const telemetry::SpanData>(spans));
  EXPECT_EQ(result.accepted, 1u);
  EXPECT_EQ(result.rejected, 2u);
  EXPECT_NE(result.first_error, "");
  EXPECT_EQ(store.stats().spans_rejected, 2u);
  EXPECT_EQ(store.stats().spans_received, 3u);
}

TEST_F(TraceStoreTest, EveryCriterionMustHoldOnOneSpan) {
  auto slow_select = span(1, 2, 1, "SELECT", users, kT0 + 1, 900 * 1000'000ULL);
  slow_select.attributes = {{"db.system", std::string("sqlite")}};
  auto fast_users = span(1, 3, 1, "GET /users", users, kT0 + 2, 1000);
  fast_users.attributes = {{"http.status_code", std::int64_t{500}}};
  add({span(1, 1, 0, "root", gateway, kT0, 1000 * 1000'000ULL), slow_select, fast_users});

  TraceQuery q = all_of("users");
  q.tags = {{"http.status_code", "500"}};
  EXPECT_EQ(store.find_trace_ids(q).size(), 1u);
  q.duration_min_ns = 100 * 1000'000ULL;  // only SELECT is slow, but it has no status code 500
  EXPECT_EQ(store.find_trace_ids(q).size(), 0u);
  q.tags = {{"db.system", "sqlite"}};
  EXPECT_EQ(store.find_trace_ids(q).size(), 1u);
  q.operation = "GET /users";  // the slow sqlite span is SELECT, not GET /users
  EXPECT_EQ(store.find_trace_ids(q).size(), 0u);

  TraceQuery other = all_of("gateway");
  other.tags = {{"db.system", "sqlite"}};  // the tag is on a users span
  EXPECT_EQ(store.find_trace_ids(other).size(), 0u);
}

TEST_F(TraceStoreTest, MatchesSyntheticAndProcessTags) {
  auto failed = span(1, 1, 0, "pay", gateway, kT0, 10);
  failed.status_code = telemetry::StatusCode::kError;
  failed.kind = telemetry::SpanKind::kClient;
  add({failed, span(2, 1, 0, "ok", gateway, kT0 + 5, 10)});
  TraceQuery q = all_of("gateway");
  q.tags = {{"error", "true"}};
  EXPECT_EQ(store.find_trace_ids(q), std::vector<telemetry::TraceId>{trace_id(1)});
  q.tags = {{"span.kind", "client"}, {"otel.status_code", "ERROR"}};
  EXPECT_EQ(store.find_trace_ids(q).size(), 1u);
  q.tags = {{"host.name", "box-1"}};  // a resource attribute
  EXPECT_EQ(store.find_trace_ids(q).size(), 2u);
  q.tags = {{"otel.scope.name", "tdemo"}};
  EXPECT_EQ(store.find_trace_ids(q).size(), 2u);
}

TEST_F(TraceStoreTest, SearchIsNewestFirstWithinWindowAndLimit) {
  for (std::uint64_t i = 1; i <= 10; ++i) add({span(i, 1, 0, "op", gateway, kT0 + i * kSec, 10)});
  TraceQuery q = all_of("gateway");
  q.limit = 3;
  EXPECT_EQ(store.find_trace_ids(q), (std::vector<telemetry::TraceId>{trace_id(10), trace_id(9), trace_id(8)}));
  q.limit = 100;
  q.start_min_ns = kT0 + 3 * kSec;
  q.start_max_ns = kT0 + 5 * kSec;
  EXPECT_EQ(store.find_trace_ids(q), (std::vector<telemetry::TraceId>{trace_id(5), trace_id(4), trace_id(3)}));
  EXPECT_TRUE(store.find_trace_ids(all_of("nobody")).empty());
}

// Spans arrive children first, each earlier than the one before, several traces to an add():
// each trace is searched under its earliest start as of the end of every add(), once.
TEST(TraceStoreIndex, EachTraceUnderItsEarliestStartAfterEveryAdd) {
  TraceStore store(TraceStoreOptions{.max_traces = 2});
  auto res = resource("svc");
  const auto add = [&](std::vector<telemetry::SpanData> spans) { store.add(std::span<const telemetry::SpanData>(spans)); };
  const auto window = [&](std::uint64_t from, std::uint64_t to) {
    TraceQuery q = all_of("svc");
    q.start_min_ns = from;
    q.start_max_ns = to;
    return store.find_trace_ids(q);
  };
  using Ids = std::vector<telemetry::TraceId>;
  add({span(1, 3, 2, "c", res, kT0 + 30, 1), span(1, 2, 1, "b", res, kT0 + 20, 20), span(2, 1, 0, "x", res, kT0 + 25, 1),
       span(1, 1, 0, "a", res, kT0 + 10, 40)});
  EXPECT_EQ(window(kT0, kT0 + 100), (Ids{trace_id(2), trace_id(1)}));
  EXPECT_EQ(window(kT0, kT0 + 15), (Ids{trace_id(1)}));  // under 10, not 30 or 20
  add({span(1, 4, 1, "d", res, kT0 + 40, 1), span(2, 2, 0, "y", res, kT0 + 5, 30)});
  EXPECT_EQ(window(kT0, kT0 + 100), (Ids{trace_id(1), trace_id(2)}));  // 2 moved to 5; 1 stays at 10
  EXPECT_EQ(window(kT0, kT0 + 7), (Ids{trace_id(2)}));
  add({span(3, 1, 0, "z", res, kT0 + 50, 1)});  // evicts trace 1, the first to arrive
  EXPECT_EQ(window(kT0, kT0 + 100), (Ids{trace_id(3), trace_id(2)}));
  EXPECT_EQ(store.stats().traces_evicted, 1u);
}

TEST(TraceStoreEviction, EvictsOldestAndCounts) {
  TraceStore store(TraceStoreOptions{.max_traces = 3});
  auto res = resource("svc");
  for (std::uint64_t i = 1; i <= 5; ++i) {
    std::vector<telemetry::SpanData> spans{span(i, 1, 0, "op", res, kT0 + i, 1),
                                           span(i, 2, 1, "op2", res, kT0 + i, 1)};
    store.add(std::span<const telemetry::SpanData>(spans));
  }
  const auto stats = store.stats();
  EXPECT_EQ(stats.traces_stored, 3u);
  EXPECT_EQ(stats.spans_stored, 6u);
  EXPECT_EQ(stats.traces_evicted, 2u);
  EXPECT_EQ(stats.spans_evicted, 4u);
  EXPECT_FALSE(store.get_trace(trace_id(1)));
  EXPECT_FALSE(store.get_trace(trace_id(2)));
  EXPECT_TRUE(store.get_trace(trace_id(5)));
  EXPECT_EQ(store.find_trace_ids(all_of("svc")).size(), 3u);
}

TEST(TraceStoreLimits, RejectsSpansBeyondThePerTraceLimit) {
  TraceStore store(TraceStoreOptions{.max_traces = 10, .max_spans_per_trace = 2});
  auto res = resource("svc");
  std::vector<telemetry::SpanData> spans{span(1, 1, 0, "a", res, kT0, 1), span(1, 2, 1, "b", res, kT0, 1),
                                         span(1, 3, 1, "c", res, kT0, 1)};
  auto result = store.add(std::span<const telemetry::SpanData>(spans));
  EXPECT_EQ(result.accepted, 2u);
  EXPECT_EQ(result.rejected, 1u);
}

TEST_F(TraceStoreTest, ServicesOperationsAndDependencies) {
  auto client = span(1, 2, 1, "GET users", gateway, kT0 + 1, 100);
  client.kind = telemetry::SpanKind::kClient;
  auto server = span(1, 3, 2, "GET /users", users, kT0 + 2, 90);
  server.status_code = telemetry::StatusCode::kError;
  add({span(1, 1, 0, "GET /", gateway, kT0, 200), client, server});
  EXPECT_EQ(store.services(), (std::vector<std::string>{"gateway", "users"}));
  auto ops = store.operations("gateway");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].name, "GET /");
  EXPECT_EQ(ops[1].kind, telemetry::SpanKind::kClient);
  EXPECT_EQ(store.operations("gateway", telemetry::SpanKind::kClient).size(), 1u);
  EXPECT_TRUE(store.operations("nobody").empty());
  auto deps = store.dependencies(kT0 + kSec, 2 * kSec);
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps[0].parent, "gateway");
  EXPECT_EQ(deps[0].child, "users");
  EXPECT_EQ(deps[0].call_count, 1u);
  EXPECT_EQ(deps[0].error_count, 1u);
  EXPECT_EQ(deps[0].p95_duration_ns, 90u);
  EXPECT_TRUE(store.dependencies(kT0 - kSec, kSec / 2).empty());
}

TEST(TraceStoreConcurrency, IngestWhileQuerying) {
  TraceStore store(TraceStoreOptions{.max_traces = 500});
  auto res = resource("svc");
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&store, &res, w] {
      for (std::uint64_t i = 0; i < 300; ++i) {
        std::vector<telemetry::SpanData> spans{span(w * 1000 + i + 1, 1, 0, "op", res, kT0 + i, 1)};
        store.add(std::span<const telemetry::SpanData>(spans));
      }
    });
  }
  std::size_t seen = 0;
  for (int i = 0; i < 50; ++i) seen += store.find_traces(all_of("svc")).size();
  for (auto& t : writers) t.join();
  EXPECT_EQ(store.stats().traces_stored, 500u);
  EXPECT_EQ(store.stats().traces_evicted, 100u);
  (void)seen;
}

}  // namespace
}  // namespace tdemo::tracestore
