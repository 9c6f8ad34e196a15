#include "tracestore/go_json.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace tdemo::tracestore {
namespace {

using telemetry::AttributeValue;

std::string go_string(std::string_view s) {
  std::string out;
  append_go_json_string(out, s);
  return out;
}

std::string go_number(double d) {
  std::string out;
  EXPECT_TRUE(append_go_json_number(out, d)) << d;
  return out;
}

// The expected texts are what Go's json.Marshal writes for the same values.
TEST(GoJson, StringsEscapeAsGoDoes) {
  const struct {
    std::string_view in, out;
  } cases[] = {
      {"plain", R"("plain")"},
      {"", R"("")"},
      {"quote\" back\\", R"("quote\" back\\")"},
      {"\n\r\t\b\f", R"("\n\r\t\b\f")"},
      {std::string_view("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\x7f\""},
      {std::string_view("nul\0", 4), R"("nul\u0000")"},
      {"<b>&amp;", R"("\u003cb\u003e\u0026amp;")"},
      {"é 🚀 日本", "\"é 🚀 日本\""},
      {"\xe2\x80\xa8|\xe2\x80\xa9", R"("\u2028|\u2029")"},
      {"bad\xff", R"("bad\ufffd")"},
      {"cut\xe2\x82", R"("cut\ufffd\ufffd")"},
      {"surrogate\xed\xa0\x80", R"("surrogate\ufffd\ufffd\ufffd")"},
      {"overlong\xc0\xaf", R"("overlong\ufffd\ufffd")"},
      {"above\xf4\x90\x80\x80", R"("above\ufffd\ufffd\ufffd\ufffd")"},
  };
  for (const auto& c : cases) EXPECT_EQ(go_string(c.in), c.out) << c.in;
}

TEST(GoJson, NumbersFormatAsGoDoes) {
  const struct {
    double in;
    std::string_view out;
  } cases[] = {
      {1.5, "1.5"},
      {-2.25, "-2.25"},
      {3.0, "3"},
      {0.1, "0.1"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {1e-100, "1e-100"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {-1.25e300, "-1.25e+300"},
      {0.0, "0"},
      {-0.0, "-0"},
      {123456789.125, "123456789.125"},
  };
  for (const auto& c : cases) EXPECT_EQ(go_number(c.in), c.out) << c.in;
  std::string out;
  EXPECT_FALSE(append_go_json_number(out, std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(append_go_json_number(out, std::numeric_limits<double>::infinity()));
  EXPECT_EQ(out, "");
}

TEST(GoJson, ArraysAsJaegerTagValues) {
  EXPECT_EQ(go_json_array(AttributeValue(std::vector<std::string>{"a", "b", ""})),
            R"(["a","b",""])");
  EXPECT_EQ(go_json_array(AttributeValue(std::vector<std::string>{"<x>", "q\""})),
            R"(["\u003cx\u003e","q\""])");
  EXPECT_EQ(go_json_array(AttributeValue(std::vector<bool>{true, false})), "[true,false]");
  EXPECT_EQ(go_json_array(AttributeValue(std::vector<std::int64_t>{1, -2, INT64_MAX})),
            "[1,-2,9223372036854775807]");
  EXPECT_EQ(go_json_array(AttributeValue(std::vector<double>{1.5, -2.25, 3, 1e21})),
            "[1.5,-2.25,3,1e+21]");
  EXPECT_EQ(go_json_array(AttributeValue(std::vector<double>{})), "[]");
  // json.Marshal fails on NaN and infinities; AsString() then yields "".
  EXPECT_EQ(go_json_array(
                AttributeValue(std::vector<double>{1, std::numeric_limits<double>::quiet_NaN()})),
            "");
  EXPECT_EQ(go_json_array(AttributeValue(std::string("scalar"))), "");
  EXPECT_EQ(go_json_array(AttributeValue(2.5)), "");
}

}  // namespace
}  // namespace tdemo::tracestore
