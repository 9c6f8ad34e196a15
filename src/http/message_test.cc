#include "http/message.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "http/transport_tracing.h"

namespace tdemo::http {
namespace {

TEST(MethodTest, ParseAndFormat) {
  EXPECT_EQ(parse_method("GET"), Method::kGet);
  EXPECT_EQ(parse_method("DELETE"), Method::kDelete);
  EXPECT_EQ(parse_method("get"), Method::kOther);
  EXPECT_EQ(parse_method("QUERY"), Method::kOther);
  EXPECT_EQ(to_string(Method::kPatch), "PATCH");
  EXPECT_EQ(to_string(Method::kOther), "_OTHER");
}

TEST(HeadersTest, CaseInsensitiveLookupAndJoin) {
  Headers h;
  h.add("Content-Type", "application/json");
  h.add("X-Multi", "a");
  h.add("x-multi", "b");
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(h.get("missing").has_value());
  EXPECT_EQ(h.get_joined("X-MULTI"), "a,b");
  h.set("X-Multi", "c");
  EXPECT_EQ(h.get_joined("x-multi"), "c");
  h.remove("CONTENT-type");
  EXPECT_FALSE(h.contains("content-type"));
  EXPECT_EQ(h.size(), 1u);
}

TEST(RequestTest, TargetSplitAndQueryParams) {
  Request r;
  r.set_target("GET", "/search?q=a%20b+c&limit=10&empty&q=second");
  EXPECT_EQ(r.method, Method::kGet);
  EXPECT_EQ(r.path, "/search");
  EXPECT_EQ(r.query, "q=a%20b+c&limit=10&empty&q=second");
  EXPECT_EQ(r.query_param("q"), "a b c");
  EXPECT_EQ(r.query_param("limit"), "10");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_FALSE(r.query_param("nope").has_value());
  r.set_target("BREW", "/pot");
  EXPECT_EQ(r.method, Method::kOther);
  EXPECT_EQ(r.method_text, "BREW");
  EXPECT_TRUE(r.query.empty());
}

TEST(RequestTest, TypedPathParams) {
  Request r;
  r.path_params = {{"user_id", "42"}, {"name", "x y"}, {"bad", "4x"}, {"neg", "-7"}};
  EXPECT_EQ(r.int_param("user_id"), 42);
  EXPECT_EQ(r.int_param("neg"), -7);
  EXPECT_FALSE(r.int_param("bad").has_value());
  EXPECT_FALSE(r.int_param("missing").has_value());
  EXPECT_EQ(r.param("name"), "x y");
}

TEST(RequestTest, JsonContentType) {
  Request r;
  EXPECT_FALSE(r.has_json_content_type());
  r.headers.set("Content-Type", "application/json; charset=utf-8");
  EXPECT_TRUE(r.has_json_content_type());
  r.headers.set("Content-Type", "application/problem+json");
  EXPECT_TRUE(r.has_json_content_type());
  r.headers.set("Content-Type", "text/plain");
  EXPECT_FALSE(r.has_json_content_type());
}

TEST(ParseTest, Int64AndPercentDecode) {
  EXPECT_EQ(parse_int64("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(parse_int64("9223372036854775808").has_value());
  EXPECT_FALSE(parse_int64("").has_value());
  EXPECT_FALSE(parse_int64(" 1").has_value());
  EXPECT_FALSE(parse_int64("1.0").has_value());
  EXPECT_EQ(parse_int64("+5"), 5);
  EXPECT_EQ(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
}

TEST(ResponseTest, Helpers) {
  auto r = Response::json(201, boost::json::parse(R"({"id":1})"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"id":1})");
  EXPECT_EQ(Response::html(200, "<p>").content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(Response::empty(204).body.empty());
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(599), "");
}

TEST(HeadersCarrierTest, GetJoinsAndSetReplaces) {
  Headers h;
  h.add("TraceState", "a=1");
  h.add("tracestate", "b=2");
  HeadersCarrier carrier(h);
  EXPECT_EQ(carrier.get("tracestate"), "a=1,b=2");
  EXPECT_FALSE(carrier.get("traceparent").has_value());
  carrier.set("traceparent", "00-x");
  carrier.set("Traceparent", "00-y");
  EXPECT_EQ(h.get_joined("traceparent"), "00-y");
  const Headers& frozen = h;
  HeadersCarrier read_only(frozen);
  read_only.set("x", "1");
  EXPECT_FALSE(h.contains("x"));
}

}  // namespace
}  // namespace tdemo::http
