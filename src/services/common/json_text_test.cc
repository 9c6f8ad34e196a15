#include "services/common/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <limits>

namespace tdemo::services {
namespace {

TEST(JsonTextTest, NumbersReadLikePython) {
  const struct { const char* in; const char* out; } cases[] = {
      {R"({"amount":99.99})", R"({"amount":99.99})"},
      {R"([0.1, 5.0, -2, 1e300])", R"([0.1,5.0,-2,1e+300])"},
      {R"({"a":"x\"y","b":[true,null,{}]})", R"({"a":"x\"y","b":[true,null,{}]})"},
  };
  for (const auto& c : cases) EXPECT_EQ(to_json_text(boost::json::parse(c.in)), c.out) << c.in;
}

TEST(JsonTextTest, RoundTrips) {
  auto value = boost::json::parse(R"({"n":[1.5,2,"\u00e9"],"o":{"k":12345678901234}})");
  EXPECT_EQ(boost::json::parse(to_json_text(value)), value);
}

TEST(JsonTextTest, StringsAndIntegersAtTheirLimits) {
  boost::json::object o;
  o["text"] = "quote \" backslash \\ tab \t nul " + std::string(1, '\0') + " e\u0301 \xE4\xB8\xAD \x7F";
  o["min"] = std::numeric_limits<std::int64_t>::min();
  o["max"] = std::numeric_limits<std::uint64_t>::max();
  o["key \n\"x\""] = 0.5;
  const std::string text = to_json_text(o);
  EXPECT_EQ(boost::json::parse(text), boost::json::value(o)) << text;
  EXPECT_NE(text.find(R"("min":-9223372036854775808)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("max":18446744073709551615)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(nul \u0000)"), std::string::npos) << text;
  // Bytes that are not UTF-8 (a string built in code, never one parsed from JSON) become U+FFFD,
  // so the answer is still JSON.
  const std::string bad = to_json_text(boost::json::value("a\xFF b\xE4\xB8"));
  ASSERT_TRUE(is_json_text(bad)) << bad;
  EXPECT_EQ(boost::json::parse(bad).as_string(), "a\xEF\xBF\xBD b\xEF\xBF\xBD\xEF\xBF\xBD");
}

// The check agrees with boost::json::parse, which the gateway used before passing replies on.
TEST(JsonTextTest, IsJsonTextAcceptsWhatParseAccepts) {
  const std::string deep32 = std::string(32, '[') + std::string(32, ']');
  const std::string deep33 = std::string(33, '[') + std::string(33, ']');
  const std::string cases[] = {
      R"({"id":1,"name":"Ada","amount":99.99})", "[]", "{}", "null", "true", "-0.5e3", R"("x")",
      " {\"a\":1} \n", deep32, deep33, "", " ", "{", R"({"a":1,})", "[1,]", "{'a':1}", "nul",
      R"({"a":1} {"b":2})", "[1] x", "/* c */ 1", "1 // c", "\"\xff\"", "\"caf\xc3\xa9\"",
      R"("\ud800")", "1e999", "123456789012345678901234567890", "-", "01", "[1,2", "\"a\nb\"",
      R"({"a":{"b":[null,false]}})"};
  for (const auto& text : cases) {
    boost::system::error_code ec;
    boost::json::parse(text, ec);
    EXPECT_EQ(is_json_text(text), !ec) << text << ": parse says " << ec.message();
  }
  EXPECT_TRUE(is_json_text(deep32));
  EXPECT_FALSE(is_json_text(deep33));
  EXPECT_FALSE(is_json_text(R"({"a":1} {"b":2})"));
}

}  // namespace
}  // namespace tdemo::services
