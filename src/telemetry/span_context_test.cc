#include "telemetry/span_context.h"

#include <gtest/gtest.h>

namespace tdemo::telemetry {
namespace {

std::string members(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i) {
    if (!out.empty()) out += ',';
    out += "bar" + std::to_string(i) + "=" + std::to_string(i);
  }
  return out;
}

// Cases from the w3c/trace-context test suite (test/test.py) and the grammar of §3.3.
TEST(TraceStateTest, ParseTable) {
  const std::string all_key_chars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
  std::string all_value_chars;
  for (char c = 0x20; c <= 0x7E; ++c) {
    if (c != ',' && c != '=') all_value_chars += c;
  }
  struct Case {
    std::string header;
    bool valid;
    std::size_t size;
  };
  const Case cases[] = {
      {"", true, 0},
      {"foo=1", true, 1},
      {"foo=1,bar=2", true, 2},
      {"foo=1 \t , \t bar=2, \t baz=3", true, 3},  // OWS around members
      {"foo=1\t \t,\t \tbar=2,\t \tbaz=3", true, 3},
      {" foo=1", true, 1},
      {"\tfoo=1", true, 1},
      {"foo=1 ", true, 1},
      {"\t foo=1 \t", true, 1},
      {"foo=1,,bar=2", true, 2},  // empty members are allowed
      {",foo=1,", true, 1},
      {all_key_chars + "=" + all_value_chars, true, 1},
      {all_key_chars + "@a-z0-9_-*/=" + all_value_chars, true, 1},
      {members(32), true, 32},
      {members(33), false, 0},
      {std::string(256, 'z') + "=1", true, 1},
      {std::string(257, 'z') + "=1", false, 0},
      {std::string(241, 't') + "@" + std::string(14, 'v') + "=1", true, 1},
      {std::string(242, 't') + "@v=1", false, 0},
      {"t@" + std::string(15, 'v') + "=1", false, 0},
      {"foo=1,foo=1", false, 0},  // duplicate keys
      {"foo=1,foo=2", false, 0},
      {"foo =1", false, 0},
      {"FOO=1", false, 0},
      {"foo.bar=1", false, 0},
      {"foo@=1,bar=2", false, 0},
      {"@foo=1,bar=2", false, 0},
      {"foo@@bar=1,bar=2", false, 0},
      {"foo@bar@baz=1,bar=2", false, 0},
      {"foo=bar=baz", false, 0},
      {"foo=,bar=3", false, 0},
      {"foo", false, 0},
      {"1foo=1", false, 0},     // a simple key starts with a lowercase letter
      {"1foo@bar=1", true, 1},  // a tenant id may start with a digit
      {"foo=" + std::string(256, 'x'), true, 1},
      {"foo=" + std::string(257, 'x'), false, 0},
      {"foo=a\x7f", false, 0},
  };
  for (const auto& c : cases) {
    const auto state = TraceState::parse(c.header);
    EXPECT_EQ(state.has_value(), c.valid) << "'" << c.header << "'";
    if (state && c.valid) {
      EXPECT_EQ(state->entries().size(), c.size) << c.header;
    }
  }
}

TEST(TraceStateTest, KeepsOrderAndValues) {
  const auto state = TraceState::parse("foo=1,bar=2,rojo=1,congo=2,baz=3");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->serialize(), "foo=1,bar=2,rojo=1,congo=2,baz=3");
  EXPECT_EQ(state->get("rojo"), "1");
  EXPECT_FALSE(state->get("nope").has_value());
  const auto spaced = TraceState::parse("foo= leading space ok");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->get("foo"), " leading space ok");
}

TEST(TraceStateTest, WithMovesKeyToFrontAndCaps) {
  const auto state = TraceState::parse("a=1,b=2,c=3");
  ASSERT_TRUE(state);
  const auto updated = state->with("b", "9");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->serialize(), "b=9,a=1,c=3");
  EXPECT_FALSE(state->with("B", "1").has_value());
  EXPECT_FALSE(state->with("b", "").has_value());

  const auto full = TraceState::parse(members(32));
  ASSERT_TRUE(full);
  const auto added = full->with("new", "x");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->entries().size(), 32u);
  EXPECT_EQ(added->entries().front().first, "new");
  EXPECT_FALSE(added->get("bar32").has_value());  // the right-most member went
}

TEST(SpanContextTest, Basics) {
  SpanContext invalid;
  EXPECT_FALSE(invalid.valid());
  EXPECT_TRUE(invalid.trace_state().empty());
  const SpanContext context(*TraceId::from_hex("0af7651916cd43dd8448eb211c80319c"),
                            *SpanId::from_hex("b7ad6b7169203331"), kTraceFlagSampled, true,
                            std::make_shared<const TraceState>(*TraceState::parse("a=1")));
  EXPECT_TRUE(context.valid());
  EXPECT_TRUE(context.sampled());
  EXPECT_TRUE(context.remote());
  EXPECT_EQ(context.trace_state().get("a"), "1");
}

}  // namespace
}  // namespace tdemo::telemetry
