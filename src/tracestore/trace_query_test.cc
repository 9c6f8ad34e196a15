#include "tracestore/trace_query.h"

#include <gtest/gtest.h>

namespace tdemo::tracestore {
namespace {

constexpr std::uint64_t kNow = 1'700'000'000'000'000'000ULL;

TEST(GoDuration, ParsesGoForms) {
  struct Case { const char* text; std::optional<std::uint64_t> ns; };
  const Case cases[] = {
      {"0", 0},
      {"100ms", 100'000'000},
      {"1.2s", 1'200'000'000},
      {"1us", 1'000},
      {"1\xC2\xB5s", 1'000},
      {"2h45m", (2 * 3600 + 45 * 60) * 1'000'000'000ULL},
      {".5s", 500'000'000},
      {"15ns", 15},
      {"", std::nullopt},
      {"10", std::nullopt},
      {"-1s", std::nullopt},
      {"1x", std::nullopt},
      {"ms", std::nullopt},
      {"1.s5", std::nullopt},
      {"9999999999h", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_go_duration(c.text), c.ns) << c.text;
}

TEST(JaegerQuery, ParsesEveryParameter) {
  const QueryParams params = {{"service", "gateway"},
                              {"operation", "GET /x"},
                              {"start", "1000"},
                              {"end", "5000"},
                              {"minDuration", "1ms"},
                              {"maxDuration", "1.5s"},
                              {"limit", "7"},
                              {"tags", R"({"http.status_code":"500","a":"b"})"},
                              {"tag", "error:true"},
                              {"tag", "url:http://x:1"}};
  auto parsed = parse_jaeger_trace_query(params, kNow);
  ASSERT_EQ(parsed.error, "");
  const TraceQuery& q = parsed.query;
  EXPECT_EQ(q.service, "gateway");
  EXPECT_EQ(q.operation, "GET /x");
  EXPECT_EQ(q.start_min_ns, 1'000'000u);
  EXPECT_EQ(q.start_max_ns, 5'000'000u);
  EXPECT_EQ(q.duration_min_ns, 1'000'000u);
  EXPECT_EQ(q.duration_max_ns, 1'500'000'000u);
  EXPECT_EQ(q.limit, 7u);
  ASSERT_EQ(q.tags.size(), 4u);
  EXPECT_EQ(q.tags[0], (std::pair<std::string, std::string>{"http.status_code", "500"}));
  EXPECT_EQ(q.tags[2], (std::pair<std::string, std::string>{"error", "true"}));
  EXPECT_EQ(q.tags[3], (std::pair<std::string, std::string>{"url", "http://x:1"}));
}

TEST(JaegerQuery, DefaultsWindowAndLimit) {
  auto parsed = parse_jaeger_trace_query({{"service", "s"}}, kNow);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.query.limit, 100u);
  EXPECT_EQ(parsed.query.start_max_ns, kNow);
  EXPECT_EQ(parsed.query.start_min_ns, kNow - kDefaultLookbackNs);
  auto with_lookback = parse_jaeger_trace_query({{"service", "s"}, {"lookback", "1h"}}, kNow);
  EXPECT_EQ(with_lookback.query.start_min_ns, kNow - 3600'000'000'000ULL);
}

TEST(JaegerQuery, RejectsBadParameters) {
  const QueryParams bad[] = {
      {},                                                       // service missing
      {{"service", "s"}, {"minDuration", "fast"}},
      {{"service", "s"}, {"maxDuration", "10"}},
      {{"service", "s"}, {"start", "yesterday"}},
      {{"service", "s"}, {"end", "1e9"}},
      {{"service", "s"}, {"limit", "-1"}},
      {{"service", "s"}, {"limit", "many"}},
      {{"service", "s"}, {"tags", "{not json"}},
      {{"service", "s"}, {"tags", "[1,2]"}},
      {{"service", "s"}, {"tags", R"({"a":1})"}},
      {{"service", "s"}, {"tag", "novalue"}},
      {{"service", "s"}, {"minDuration", "2s"}, {"maxDuration", "1s"}},
      {{"service", "s"}, {"lookback", "forever"}},
  };
  for (const auto& params : bad) {
    auto parsed = parse_jaeger_trace_query(params, kNow);
    EXPECT_NE(parsed.error, "") << (params.empty() ? "(none)" : params.back().second);
  }
  EXPECT_EQ(parse_jaeger_trace_query({}, kNow).error, "parameter 'service' is required");
}

TEST(JaegerQuery, TraceIdsMakeServiceOptional) {
  auto parsed = parse_jaeger_trace_query({{"traceID", "abc"}, {"traceID", "def"}}, kNow);
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.trace_ids.size(), 2u);
}

TEST(JaegerQuery, CapsTheLimit) {
  auto parsed = parse_jaeger_trace_query({{"service", "s"}, {"limit", "1000000"}}, kNow);
  EXPECT_EQ(parsed.query.limit, kMaxSearchLimit);
}

TEST(Rfc3339, Parses) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0u);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z"), 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.5Z"), 1'700'000'000'500'000'000ULL);
  EXPECT_EQ(parse_rfc3339("2023-11-15T00:13:20+02:00"), 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(parse_rfc3339("2023-11-14 22:13:20"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("yesterday"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2023-13-14T22:13:20Z"), std::nullopt);
}

TEST(V3Query, ParsesAndValidates) {
  auto parsed = parse_v3_trace_query({{"query.service_name", "gateway"},
                                      {"query.operation_name", "op"},
                                      {"query.start_time_min", "2023-11-14T22:13:20Z"},
                                      {"query.start_time_max", "2023-11-14T23:13:20Z"},
                                      {"query.duration_min", "10ms"},
                                      {"query.num_traces", "5"},
                                      {"query.attributes", R"({"k":"v"})"},
                                      {"query.attributes.x", "y"}},
                                     kNow);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.query.service, "gateway");
  EXPECT_EQ(parsed.query.start_min_ns, 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(parsed.query.duration_min_ns, 10'000'000u);
  EXPECT_EQ(parsed.query.limit, 5u);
  EXPECT_EQ(parsed.query.tags.size(), 2u);
  EXPECT_NE(parse_v3_trace_query({}, kNow).error, "");
  EXPECT_NE(parse_v3_trace_query({{"query.service_name", "s"}, {"query.start_time_min", "x"}}, kNow).error, "");
  EXPECT_NE(parse_v3_trace_query({{"query.service_name", "s"}, {"query.num_traces", "x"}}, kNow).error, "");
}

}  // namespace
}  // namespace tdemo::tracestore
