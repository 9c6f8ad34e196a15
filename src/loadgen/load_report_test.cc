#include "loadgen/load_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <boost/json/parse.hpp>

#include "loadgen/html_report.h"

namespace tdemo::loadgen {
namespace {
namespace json = boost::json;

struct Fixture {
  LoadOptions options;
  RunResult result{RunStats({"GET /users/1", "POST /orders"})};
  Fixture() {
    options = make_load_options([] {
      LoadTestArgs a;
      a.mix = "GET /users/1=3,POST /orders=1";
      a.users = 2;
      a.requests = 5;
      return a;
    }()).value();
    for (int i = 1; i <= 100; ++i) result.stats.record_response(0, static_cast<std::uint64_t>(i) * 1'000'000, 200);
    result.stats.record_response(1, 5'000'000, 422);
    result.stats.record_failure(1, FailureCause::kTimeout);
    result.elapsed = std::chrono::seconds(2);
    result.threads = 2;
    Timeline::Point p;
    p.requests = 102;
    p.latency.record(1'000'000);
    result.timeline = {p, p};
    result.timeline_interval_ns = 1'000'000'000;
  }
};

TEST(JsonReport, CarriesTheFigures) {
  Fixture f;
  const auto text = json_report(f.options, f.result, Thresholds{0.5, 1000.0});
  const auto root = json::parse(text).as_object();
  EXPECT_EQ(root.at("mode").as_string(), "closed_loop");
  EXPECT_EQ(root.at("requests").to_number<std::uint64_t>(), 102u);
  EXPECT_EQ(root.at("responses").to_number<std::uint64_t>(), 101u);
  EXPECT_EQ(root.at("errors").to_number<std::uint64_t>(), 2u);
  EXPECT_NEAR(root.at("throughput_rps").as_double(), 51.0, 1e-9);
  const auto& latency = root.at("latency_ms").as_object();
  EXPECT_NEAR(latency.at("p50").as_double(), 50.0, 0.5);
  EXPECT_NEAR(latency.at("p99").as_double(), 99.0, 1.0);
  EXPECT_NEAR(latency.at("max").as_double(), 100.0, 1e-9);
  EXPECT_EQ(root.at("statuses").as_object().at("422").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(root.at("failures").as_object().at("timeout").to_number<std::uint64_t>(), 1u);
  const auto& endpoints = root.at("endpoints").as_array();
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].as_object().at("name").as_string(), "GET /users/1");
  EXPECT_EQ(endpoints[1].as_object().at("errors").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(root.at("timeline").as_object().at("points").as_array().size(), 2u);
  EXPECT_FALSE(root.at("histogram").as_array().empty());
  EXPECT_TRUE(root.at("thresholds").as_object().at("passed").as_bool());
  EXPECT_FALSE(root.contains("open_loop"));
}

TEST(Thresholds, ReportEachViolation) {
  Fixture f;
  EXPECT_TRUE(threshold_violations(f.result, {}).empty());
  EXPECT_TRUE(threshold_violations(f.result, {0.02, 100.0}).empty());
  const auto both = threshold_violations(f.result, {0.01, 10.0});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NE(both[0].find("error rate"), std::string::npos);
  EXPECT_NE(both[1].find("p99"), std::string::npos);
  const auto root = json::parse(json_report(f.options, f.result, {0.01, 10.0})).as_object();
  EXPECT_FALSE(root.at("thresholds").as_object().at("passed").as_bool());
  EXPECT_EQ(root.at("thresholds").as_object().at("violations").as_array().size(), 2u);
}

TEST(TextReport, SummaryAndEndpointTable) {
  Fixture f;
  const auto text = text_report(f.options, f.result);
  EXPECT_NE(text.find("102 in 2.00 s = 51.0 req/s"), std::string::npos) << text;
  EXPECT_NE(text.find("422 x1"), std::string::npos) << text;
  EXPECT_NE(text.find("timeout x1"), std::string::npos) << text;
  EXPECT_NE(text.find("GET /users/1"), std::string::npos);
  EXPECT_NE(text.find("POST /orders"), std::string::npos);
}

TEST(TextReport, OpenLoopSaysWhenItCouldNotKeepUp) {
  Fixture f;
  f.options.mode = LoadOptions::Mode::kOpenLoop;
  f.options.rate = 100;  // achieved 51/s
  f.options.duration = std::chrono::seconds(2);
  EXPECT_NE(text_report(f.options, f.result).find("could not keep up"), std::string::npos);
  const auto root = json::parse(json_report(f.options, f.result, {})).as_object();
  EXPECT_FALSE(root.at("open_loop").as_object().at("kept_up").as_bool());
  f.options.rate = 50;
  EXPECT_EQ(text_report(f.options, f.result).find("could not keep up"), std::string::npos);
}

TEST(HtmlReport, SelfContainedWithBothCharts) {
  Fixture f;
  const auto html = html_report(f.options, f.result, {});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(html.find("aria-label='latency over time'"), std::string::npos);
  EXPECT_NE(html.find("aria-label='latency histogram'"), std::string::npos);
  EXPECT_NE(html.find("<polyline class='p99'"), std::string::npos);
  EXPECT_NE(html.find("<rect class='bar'"), std::string::npos);
  EXPECT_NE(html.find("POST /orders"), std::string::npos);
}

TEST(HtmlReport, EscapesText) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(ProgressPrinter, InPlaceOnATerminalPlainLinesOtherwise) {
  ProgressSnapshot s;
  s.elapsed = std::chrono::milliseconds(1500);
  s.requests = 10;
  s.planned = 100;
  s.recent_rate = 20;
  s.errors = 1;
  s.recent_p50_ns = 2'000'000;
  s.recent_p99_ns = 9'000'000;
  EXPECT_EQ(ProgressPrinter::format(s), "[1.5 s] 10/100 requests, 20 req/s, 1 errors, p50 2.000 ms, p99 9.000 ms");
  char buffer[1024] = {};
  std::FILE* out = fmemopen(buffer, sizeof buffer, "w");
  ProgressPrinter terminal(out, true);
  terminal(s);
  terminal.finish();
  std::fclose(out);
  EXPECT_EQ(std::string(buffer).rfind("\r\033[K[1.5 s]", 0), 0u);
  char plain_buffer[1024] = {};
  out = fmemopen(plain_buffer, sizeof plain_buffer, "w");
  ProgressPrinter plain(out, false, 2);
  plain(s);
  plain(s);
  plain(s);
  std::fclose(out);
  const std::string text(plain_buffer);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(FormatMs, PrecisionFollowsMagnitude) {
  EXPECT_EQ(format_ms(213'000), "0.213");
  EXPECT_EQ(format_ms(12'400'000), "12.40");
  EXPECT_EQ(format_ms(153'000'000), "153.0");
  EXPECT_EQ(format_ms(1'530'000'000), "1530");
}

}  // namespace
}  // namespace tdemo::loadgen
