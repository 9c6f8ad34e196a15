#include "telemetry/ids.h"

#include <cstdio>

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace tdemo::telemetry {
namespace {

TEST(TraceIdTest, HexRoundTrip) {
  const auto id = TraceId::from_hex("0af7651916cd43dd8448eb211c80319c");
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->valid());
  EXPECT_EQ(id->bytes[0], 0x0a);
  EXPECT_EQ(id->bytes[15], 0x9c);
  EXPECT_EQ(id->hex(), "0af7651916cd43dd8448eb211c80319c");
}

TEST(TraceIdTest, HexOfEveryByteValueAtEveryPlace) {
  for (int value = 0; value < 256; ++value) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", value);
    for (std::size_t place = 0; place < 16; ++place) {
      TraceId id;
      id.bytes.fill(0x5a);
      id.bytes[place] = static_cast<std::uint8_t>(value);
      std::string expected;
      for (std::size_t i = 0; i < 16; ++i) expected += i == place ? pair : "5a";
      EXPECT_EQ(id.hex(), expected);
      EXPECT_EQ(TraceId::from_hex(expected), id);
    }
    SpanId span;
    span.bytes.fill(static_cast<std::uint8_t>(value));
    std::string all;
    for (int i = 0; i < 8; ++i) all += pair;
    EXPECT_EQ(span.hex(), all);
  }
}

TEST(TraceIdTest, FromHexRejects) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"0AF7651916CD43DD8448EB211C80319C", "uppercase"},
      {"0af7651916cd43dd8448eb211c80319", "31 chars"},
      {"0af7651916cd43dd8448eb211c80319cc", "33 chars"},
      {"0af7651916cd43dd8448eb211c80319g", "not hex"},
      {"", "empty"},
      {".af7651916cd43dd8448eb211c80319c", "punctuation"},
  };
  for (const auto& c : cases) EXPECT_FALSE(TraceId::from_hex(c.text).has_value()) << c.why;
}

// Every byte value at every position: only 0-9 and a-f are accepted.
TEST(TraceIdTest, FromHexChecksEveryCharacter) {
  for (std::size_t position = 0; position < 32; ++position) {
    for (int c = 0; c < 256; ++c) {
      std::string text(32, '1');
      text[position] = static_cast<char>(c);
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      const auto id = TraceId::from_hex(text);
      ASSERT_EQ(id.has_value(), hex) << position << " " << c;
      if (id) {
        ASSERT_EQ(id->hex(), text);
      }
    }
  }
  for (int i = 0; i < 1000; ++i) {
    const TraceId trace = random_trace_id();
    const SpanId span = random_span_id();
    ASSERT_EQ(TraceId::from_hex(trace.hex()), trace);
    ASSERT_EQ(SpanId::from_hex(span.hex()), span);
  }
}

TEST(TraceIdTest, AllZeroParsesButIsInvalid) {
  const auto id = TraceId::from_hex("00000000000000000000000000000000");
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(id->valid());
  EXPECT_FALSE(TraceId{}.valid());
}

TEST(SpanIdTest, HexRoundTripAndRejects) {
  const auto id = SpanId::from_hex("b7ad6b7169203331");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->hex(), "b7ad6b7169203331");
  char out[16];
  id->write_hex(out);
  EXPECT_EQ(std::string(out, 16), "b7ad6b7169203331");
  EXPECT_FALSE(SpanId::from_hex("B7AD6B7169203331").has_value());
  EXPECT_FALSE(SpanId::from_hex("b7ad6b716920333").has_value());
  EXPECT_FALSE(SpanId{}.valid());
}

TEST(RandomIdsTest, ValidAndDistinct) {
  std::set<std::string> traces;
  std::set<std::string> spans;
  for (int i = 0; i < 10000; ++i) {
    const auto trace = random_trace_id();
    const auto span = random_span_id();
    ASSERT_TRUE(trace.valid());
    ASSERT_TRUE(span.valid());
    traces.insert(trace.hex());
    spans.insert(span.hex());
  }
  EXPECT_EQ(traces.size(), 10000u);
  EXPECT_EQ(spans.size(), 10000u);
}

TEST(RandomIdsTest, ThreadsGetDifferentSequences) {
  std::vector<std::string> first(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&first, t] { first[t] = random_trace_id().hex(); });
  }
  for (auto& thread : threads) thread.join();
  const std::set<std::string> distinct(first.begin(), first.end());
  EXPECT_EQ(distinct.size(), 4u);
}

}  // namespace
}  // namespace tdemo::telemetry
