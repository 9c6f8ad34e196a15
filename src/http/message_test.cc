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

// iequals (eight bytes at a time from eight bytes on) against a byte-by-byte ASCII fold: every
// pair of bytes at every place of strings of 1-17 bytes.
TEST(IequalsTest, EveryBytePairAtEveryPlace) {
  const auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  for (std::size_t n = 1; n <= 17; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      std::string a(n, 'k');
      std::string b(n, 'K');
      for (int x = 0; x < 256; ++x) {
        for (int y = 0; y < 256; ++y) {
          a[at] = static_cast<char>(x);
          b[at] = static_cast<char>(y);
          const bool expected = fold(static_cast<unsigned char>(x)) == fold(static_cast<unsigned char>(y));
          if (iequals(a, b) != expected) {
            FAIL() << "n=" << n << " at=" << at << " x=" << x << " y=" << y;
          }
        }
      }
    }
  }
  EXPECT_FALSE(iequals("content-length", "content-lengt"));
  EXPECT_TRUE(iequals("Content-Length", "content-LENGTH"));
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

TEST(RequestTest, AbsoluteFormTargetsAreServedByTheirPath) {
  // RFC 9112 3.2.2: a server must accept the absolute-form.
  Request r;
  r.set_target("GET", "http://127.0.0.1:8000/users/1?x=y");
  EXPECT_EQ(r.target, "http://127.0.0.1:8000/users/1?x=y");
  EXPECT_EQ(r.path, "/users/1");
  EXPECT_EQ(r.query, "x=y");
  r.set_target("GET", "HTTPS://example.com");
  EXPECT_EQ(r.path, "/");
  EXPECT_TRUE(r.query.empty());
  r.set_target("GET", "http://example.com?q=1");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.query, "q=1");
  // Only http(s) URLs; anything else stays a (non-matching) path.
  r.set_target("GET", "ftp://example.com/users/1");
  EXPECT_EQ(r.path, "ftp://example.com/users/1");
  r.set_target("GET", "/redirect?to=http://x/y");
  EXPECT_EQ(r.path, "/redirect");
  EXPECT_EQ(r.query, "to=http://x/y");
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
  // Decoded bytes that are not UTF-8 become U+FFFD (echoed in JSON errors, they must be text).
  EXPECT_EQ(percent_decode("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(percent_decode("a%FFb%C3"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(percent_decode("%ED%A0%80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(percent_decode("%C0%AF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(percent_decode("%F0%9F%98%80"), "\xF0\x9F\x98\x80");
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
