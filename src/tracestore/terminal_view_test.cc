#include "tracestore/terminal_view.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tracestore/jaeger_json.h"
#include "tracestore/test_spans.h"

namespace tdemo::tracestore {
namespace {

constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;

boost::json::object sample() {
  auto gateway = testing::resource("gateway");
  auto users = testing::resource("users");
  Trace t;
  t.id = testing::trace_id(3);
  auto child = testing::span(3, 2, 1, "GET /users/{id}", users, kT0 + 1'000'000, 4'000'000);
  child.status_code = telemetry::StatusCode::kError;
  auto evil = testing::span(3, 3, 1, "bad\x1b[2Jname", users, kT0 + 6'000'000, 1'000'000);
  t.spans = {testing::span(3, 1, 0, "GET /", gateway, kT0, 10'000'000), child, evil};
  return jaeger_trace_json(t);
}

TEST(TerminalView, WaterfallIndentsChildrenAndMarksErrors) {
  const std::string out = render_waterfall(sample(), 20);
  EXPECT_NE(out.find("3 spans"), std::string::npos);
  EXPECT_NE(out.find("\ngateway: GET /"), std::string::npos);
  EXPECT_NE(out.find("\n  users: GET /users/{id}"), std::string::npos);
  EXPECT_NE(out.find("ERROR"), std::string::npos);
  EXPECT_NE(out.find("|===================="), std::string::npos);  // the root spans the width
  EXPECT_EQ(out.find('\x1b'), std::string::npos);  // control characters neutralised
}

TEST(TerminalView, SearchTableSummarisesTraces) {
  boost::json::array traces{sample()};
  const std::string out = render_search_table(traces);
  EXPECT_NE(out.find("gateway: GET /"), std::string::npos);
  EXPECT_NE(out.find("10.00ms"), std::string::npos);
  EXPECT_NE(out.find("     3      1"), std::string::npos);  // spans, errors
  EXPECT_NE(render_search_table({}).find("(no traces)"), std::string::npos);
}

TEST(TerminalView, BlockingGetFailsCleanlyWhenNothingListens) {
  auto r = blocking_get("127.0.0.1", 1, "/", "", 1000);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.body, "");
}

}  // namespace
}  // namespace tdemo::tracestore
