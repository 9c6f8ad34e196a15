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


// json_string_length vouches only for strings that Boost.JSON's parser (is_json_text) accepts,
// and for every one of these: escapes, surrogate pairs, UTF-8, and where the string ends.
TEST(JsonStringLengthTest, AgreesWithTheParserOnEscapesAndUtf8) {
  const std::string accepted[] = {
      R"("")", R"("abc")", R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u00e9\u0041\uFFFF\u0000")",
      R"("\ud83d\ude00")", R"("\uD83D\uDE00 tail")", "\"caf\xc3\xa9\"", "\"\xf0\x9f\x98\x80\"",
      "\"raw \x7f delete\"", R"("0123456789abcdefghijklmnopqrstuvwxyz")"};
  for (const auto& text : accepted) {
    EXPECT_TRUE(is_json_text(text)) << text;
    EXPECT_EQ(json_string_length(text), text.size()) << text;
    EXPECT_EQ(json_string_length(text + R"(,"next":1})"), text.size()) << text;  // ends at its quote
  }
  const std::string refused[] = {
      "", "abc", R"("abc)", "\"a\x01\"", R"("\x")", R"("\u12g4")", R"("\u12")", R"("\u12"})",
      R"("\uDE00")", R"("\uD83D")", R"("\uD83Dx")", R"("\uD83D\u0041")", R"("\uD83D\uD83D")", R"("\uD83D\u")",
      "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", R"("\)", "\""};
  for (const auto& text : refused) EXPECT_EQ(json_string_length(text), 0u) << text;
}

// Plain runs are checked eight bytes at a time: every byte value at every place of strings of
// 0 to 20 bytes is accepted or refused as the parser does.
TEST(JsonStringLengthTest, EveryByteAtEveryPlaceAsTheParserSays) {
  const std::string alphabet = "abcdefghijklmnopqrst";
  for (std::size_t length = 0; length <= alphabet.size(); ++length) {
    for (int value = 0; value < 256; ++value) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string body = alphabet.substr(0, length);
        body.insert(at, 1, static_cast<char>(value));
        const std::string text = "\"" + body + "\"";
        const std::size_t n = json_string_length(text);
        if (value == '"') {
          ASSERT_EQ(n, at + 2) << "a quote ends the string, at " << at;  // the string before it
        } else {
          ASSERT_EQ(n == text.size(), is_json_text(text)) << "byte " << value << " at " << at << " of " << length;
          ASSERT_TRUE(n == 0 || n == text.size()) << "byte " << value << " at " << at;
        }
      }
    }
  }
}

}  // namespace
}  // namespace tdemo::services
