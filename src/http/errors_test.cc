#include "http/errors.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tdemo::http {
namespace {

boost::json::value body_of(const Response& r) { return boost::json::parse(r.body); }

TEST(ErrorsTest, DetailShape) {
  auto r = error_response(404, "User 42 not found");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"detail":"User 42 not found"})");
}

TEST(ErrorsTest, ValidationShapeMatchesPydantic) {
  auto r = validation_error({int_parsing_issue("path", "user_id", "abc")});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body_of(r), boost::json::parse(R"({"detail":[{"type":"int_parsing",
    "loc":["path","user_id"],
    "msg":"Input should be a valid integer, unable to parse string as an integer",
    "input":"abc"}]})"));
  auto missing = validation_error({missing_issue({std::string("body"), std::string("email")})});
  EXPECT_EQ(body_of(missing), boost::json::parse(R"({"detail":[{"type":"missing",
    "loc":["body","email"],"msg":"Field required","input":null}]})"));
}

TEST(ErrorsTest, FixedResponses) {
  auto r = method_not_allowed("GET, HEAD");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(r.headers.get("allow"), "GET, HEAD");
  EXPECT_EQ(not_found().body, R"({"detail":"Not Found"})");
  EXPECT_EQ(payload_too_large().status, 413);
  EXPECT_EQ(unsupported_media_type().status, 415);
  EXPECT_EQ(header_fields_too_large().status, 431);
  EXPECT_EQ(internal_server_error().body, R"({"detail":"Internal Server Error"})");
  auto busy = service_unavailable(3);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.headers.get("retry-after"), "3");
}

TEST(JsonBodyTest, ParsesValidJson) {
  Request r;
  r.headers.set("Content-Type", "application/json");
  r.body = R"({"name":"Ada","amount":9.99})";
  auto parsed = parse_json_body(r);
  ASSERT_FALSE(parsed.error.has_value());
  EXPECT_EQ(parsed.value.at("name").as_string(), "Ada");
}

TEST(JsonBodyTest, MalformedJsonIs422JsonInvalid) {
  Request r;
  r.headers.set("Content-Type", "application/json");
  r.body = R"({"name": )";
  auto parsed = parse_json_body(r);
  ASSERT_TRUE(parsed.error.has_value());
  EXPECT_EQ(parsed.error->status, 422);
  auto detail = body_of(*parsed.error).at("detail").as_array().at(0);
  EXPECT_EQ(detail.at("type").as_string(), "json_invalid");
  EXPECT_EQ(detail.at("msg").as_string(), "JSON decode error");
  EXPECT_EQ(detail.at("loc").as_array().at(0).as_string(), "body");
  EXPECT_TRUE(detail.at("loc").as_array().at(1).is_int64());
}

TEST(JsonBodyTest, NumbersBeyondDoubleRangeAre422JsonInvalid) {
  // Boost.JSON parses these as +-infinity, which would make the 422 echoing them (and any
  // forwarded copy) invalid JSON.
  Request r;
  r.headers.set("Content-Type", "application/json");
  for (const char* body : {R"({"amount": 1e999})", R"({"s": "1e999", "a": [1, -2E+400]})",
                           R"({"x": "\"", "amount": -1e309})", "1e400"}) {
    r.body = body;
    auto parsed = parse_json_body(r);
    ASSERT_TRUE(parsed.error.has_value()) << body;
    EXPECT_EQ(parsed.error->status, 422);
    auto detail = body_of(*parsed.error).at("detail").as_array().at(0);
    EXPECT_EQ(detail.at("type").as_string(), "json_invalid");
    EXPECT_EQ(detail.at("ctx").at("error").as_string(), "number out of range");
    const auto position = detail.at("loc").as_array().at(1).as_int64();
    EXPECT_EQ(r.body.substr(static_cast<std::size_t>(position), 1).find_first_of("-1"), 0u) << body;
  }
  r.body = R"({"amount": 1e308, "small": 1e-400})";  // large but finite; underflow is 0
  EXPECT_FALSE(parse_json_body(r).error.has_value());
}

TEST(JsonBodyTest, WrongContentTypeEmptyBodyAndDepth) {
  Request r;
  r.headers.set("Content-Type", "text/plain");
  r.body = "{}";
  ASSERT_TRUE(parse_json_body(r).error.has_value());
  EXPECT_EQ(parse_json_body(r).error->status, 415);
  r.headers.set("Content-Type", "application/json");
  r.body.clear();
  auto empty = parse_json_body(r);
  ASSERT_TRUE(empty.error.has_value());
  EXPECT_EQ(body_of(*empty.error).at("detail").at(0).at("type").as_string(), "missing");
  r.body = std::string(100, '[') + std::string(100, ']');
  auto deep = parse_json_body(r, 64);
  ASSERT_TRUE(deep.error.has_value());
  EXPECT_EQ(deep.error->status, 422);
  r.headers.remove("Content-Type");  // no Content-Type: parsed as JSON, like FastAPI
  r.body = "[1]";
  EXPECT_FALSE(parse_json_body(r).error.has_value());
}

// check_json_body answers exactly as parse_json_body (status and body) on every input: valid
// documents, each of their truncations, and the usual ways a body goes wrong.
TEST(JsonBodyTest, CheckAgreesWithParseOnEveryInput) {
  std::vector<std::string> bodies = {
      R"({"user_id": 1, "amount": 99.99, "items": ["book", {"n": [true, false, null]}]})",
      R"([1, -2.5e3, "\u00e9\ud83d\ude00", "tab\t", {}])",
      "  \"text\"  ", "0", "-", "01", "1.", "1e", "[1,]", "{\"a\" 1}", "{\"a\":1}}", "{} {}",
      "nul", "tru", "[\"\xff\"]", "[\"\xc3\"]", "\xef\xbb\xbf{}", "{\"amount\": 1e999}",
      "[1, -2E+400]", "{\"small\": 1e-400}", "/* c */ {}", "{\"a\":1} x",
      std::string(70, '[') + std::string(70, ']'), std::string(64, '[') + std::string(64, ']')};
  const std::size_t whole = bodies.size();
  for (std::size_t i = 0; i < whole; ++i) {
    for (std::size_t n = 1; n < bodies[i].size(); ++n) bodies.push_back(bodies[i].substr(0, n));
  }
  int refused = 0;
  for (const char* content_type : {"application/json", "text/plain"}) {
    for (const auto& body : bodies) {
      Request r;
      r.headers.set("Content-Type", content_type);
      r.body = body;
      const auto parsed = parse_json_body(r);
      const auto checked = check_json_body(r);
      ASSERT_EQ(parsed.error.has_value(), checked.has_value()) << body;
      if (!checked) continue;
      ++refused;
      EXPECT_EQ(parsed.error->status, checked->status) << body;
      EXPECT_EQ(parsed.error->body, checked->body) << body;
    }
  }
  EXPECT_GT(refused, static_cast<int>(bodies.size()));  // all text/plain, and many JSON ones
  Request ok;
  ok.body = bodies.front();
  EXPECT_FALSE(check_json_body(ok).has_value());
}

}  // namespace
}  // namespace tdemo::http
