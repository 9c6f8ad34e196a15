#include "tracestore/query_api.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tracestore/test_spans.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {
namespace json = boost::json;

constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gateway = testing::resource("gateway");
    auto users = testing::resource("users");
    auto call = testing::span(1, 2, 1, "GET users", gateway, kT0 + 10, 800);
    call.kind = telemetry::SpanKind::kClient;
    auto served = testing::span(1, 3, 2, "GET /users/{id}", users, kT0 + 20, 700);
    served.status_code = telemetry::StatusCode::kError;
    std::vector<telemetry::SpanData> spans{testing::span(1, 1, 0, "GET /", gateway, kT0, 1000), call, served};
    store.add(std::span<const telemetry::SpanData>(spans));
  }
  http::Request get(std::string target, std::vector<http::PathParam> params = {}) {
    http::Request r;
    r.set_target("GET", target);
    r.path_params = std::move(params);
    return r;
  }
  static json::object body(const http::Response& r) { return json::parse(r.body).as_object(); }

  TraceStore store;
  QueryApi api{store, [] { return kT0 + 1'000'000'000ULL; }};
};

TEST_F(QueryApiTest, Services) {
  auto r = api.services(get("/api/services"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Origin"), "*");
  auto b = body(r);
  EXPECT_EQ(b.at("data"), (json::array{"gateway", "users"}));
  EXPECT_EQ(b.at("total").as_int64(), 2);
  EXPECT_EQ(body(api.v3_services(get("/api/v3/services"))).at("services"), (json::array{"gateway", "users"}));
}

TEST_F(QueryApiTest, Operations) {
  auto names = body(api.service_operations(get("/api/services/gateway/operations", {{"service", "gateway"}})));
  EXPECT_EQ(names.at("data"), (json::array{"GET /", "GET users"}));
  auto ops = body(api.operations(get("/api/operations?service=gateway&spanKind=client")));
  ASSERT_EQ(ops.at("data").as_array().size(), 1u);
  EXPECT_EQ(ops.at("data").as_array()[0].at("spanKind").as_string(), "client");
  EXPECT_EQ(api.operations(get("/api/operations?service=gateway&spanKind=sideways")).status, 400);
  EXPECT_EQ(api.operations(get("/api/operations")).status, 400);
  auto v3 = body(api.v3_operations(get("/api/v3/operations?service=users")));
  EXPECT_EQ(v3.at("operations").as_array()[0].at("name").as_string(), "GET /users/{id}");
}

TEST_F(QueryApiTest, SearchAndGet) {
  auto found = body(api.search_traces(get("/api/traces?service=users&tags=%7B%22error%22%3A%22true%22%7D&lookback=1h")));
  ASSERT_EQ(found.at("data").as_array().size(), 1u);
  EXPECT_EQ(found.at("data").as_array()[0].at("spans").as_array().size(), 3u);
  auto none = body(api.search_traces(get("/api/traces?service=gateway&tag=error:true")));
  EXPECT_EQ(none.at("data").as_array().size(), 0u);  // the error span is a users span
  auto by_ids = body(api.search_traces(get("/api/traces?traceID=ab000000000000000000000000000001&traceID=ff")));
  EXPECT_EQ(by_ids.at("data").as_array().size(), 1u);

  const std::string id = "ab000000000000000000000000000001";
  auto one = api.get_trace(get("/api/traces/" + id, {{"traceID", id}}));
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(body(one).at("data").as_array()[0].at("traceID").as_string(), id);
  auto v3 = api.v3_get_trace(get("/api/v3/traces/" + id, {{"trace_id", id}}));
  EXPECT_EQ(v3.status, 200);
  EXPECT_EQ(body(v3).at("result").at("resourceSpans").as_array().size(), 2u);
  auto v3_search = body(api.v3_search_traces(get("/api/v3/traces?query.service_name=users")));
  EXPECT_EQ(v3_search.at("result").at("resourceSpans").as_array().size(), 2u);
}

TEST_F(QueryApiTest, ErrorsUseJaegersEnvelope) {
  auto missing = api.get_trace(get("/api/traces/1234", {{"traceID", "1234"}}));
  EXPECT_EQ(missing.status, 404);
  auto b = body(missing);
  EXPECT_TRUE(b.at("data").is_null());
  EXPECT_EQ(b.at("errors").as_array()[0].at("code").as_int64(), 404);
  EXPECT_EQ(b.at("errors").as_array()[0].at("msg").as_string(), "trace not found");
  EXPECT_EQ(api.get_trace(get("/api/traces/xyz", {{"traceID", "xyz"}})).status, 400);
  const char* bad[] = {"/api/traces", "/api/traces?service=s&minDuration=soon", "/api/traces?service=s&limit=x",
                       "/api/traces?service=s&tags=%7B", "/api/traces?traceID=zz"};
  for (const char* target : bad) {
    auto r = api.search_traces(get(target));
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(body(r).at("errors").as_array()[0].at("code").as_int64(), 400) << target;
  }
  EXPECT_EQ(api.v3_search_traces(get("/api/v3/traces?query.service_name=s&query.start_time_min=x")).status, 400);
  auto v3_missing = api.v3_get_trace(get("/api/v3/traces/1", {{"trace_id", "1"}}));
  EXPECT_EQ(v3_missing.status, 404);
  EXPECT_EQ(body(v3_missing).at("error").at("httpCode").as_int64(), 404);
  EXPECT_EQ(api.dependencies(get("/api/dependencies?endTs=abc")).status, 400);
}

TEST_F(QueryApiTest, Dependencies) {
  const std::string end_ms = std::to_string(kT0 / 1'000'000 + 1000);
  auto deps = body(api.dependencies(get("/api/dependencies?endTs=" + end_ms + "&lookback=60000")));
  ASSERT_EQ(deps.at("data").as_array().size(), 1u);
  const auto& link = deps.at("data").as_array()[0].as_object();
  EXPECT_EQ(link.at("parent").as_string(), "gateway");
  EXPECT_EQ(link.at("child").as_string(), "users");
  EXPECT_EQ(link.at("callCount").as_int64(), 1);
  auto stats = body(api.dependency_stats(get("/api/tracestore/dependencies?endTs=" + end_ms)));
  const auto& s = stats.at("data").as_array()[0].as_object();
  EXPECT_EQ(s.at("errorCount").as_int64(), 1);
  EXPECT_EQ(s.at("p95DurationUs").as_int64(), 0);  // 700 ns
}

TEST(QueryString, DecodesRepeatedParameters) {
  auto params = parse_query_string("a=1&tag=x%3Ay&tag=b+c&empty=&flag");
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[1].second, "x:y");
  EXPECT_EQ(params[2].second, "b c");
  EXPECT_EQ(params[4].first, "flag");
}

TEST(Authorization, RequiresTheExactBearerToken) {
  http::Request r;
  EXPECT_TRUE(authorized(r, ""));
  EXPECT_FALSE(authorized(r, "secret"));
  r.headers.set("Authorization", "Bearer secret");
  EXPECT_TRUE(authorized(r, "secret"));
  r.headers.set("Authorization", "Bearer secreT");
  EXPECT_FALSE(authorized(r, "secret"));
  r.headers.set("Authorization", "Basic secret");
  EXPECT_FALSE(authorized(r, "secret"));
}

}  // namespace
}  // namespace tdemo::tracestore
