#include "loadgen/endpoint_mix.h"

#include <gtest/gtest.h>

#include <map>

namespace tdemo::loadgen {
namespace {

TEST(ParseEndpoint, PathAloneIsGet) {
  auto e = parse_endpoint("/health");
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(e.value().method, "GET");
  EXPECT_EQ(e.value().path, "/health");
  EXPECT_TRUE(e.value().body.empty());
  EXPECT_EQ(e.value().name(), "GET /health");
}

TEST(ParseEndpoint, PostGetsAValidDefaultBody) {
  auto e = parse_endpoint("  POST /orders ");
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(e.value().method, "POST");
  EXPECT_EQ(e.value().path, "/orders");
  EXPECT_NE(e.value().body.find("\"user_id\""), std::string::npos);
  EXPECT_NE(parse_endpoint("POST /users").value().body.find("\"email\""), std::string::npos);
  EXPECT_NE(parse_endpoint("POST /payments").value().body.find("\"card_number\""), std::string::npos);
}

TEST(ParseEndpoint, RejectsBadInput) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  for (const Case& c : {Case{"", "bad endpoint"}, Case{"health", "bad endpoint"},
                        Case{"FETCH /x", "unknown method"}, Case{"GET", "bad endpoint"},
                        Case{"GET /a b", "bad endpoint"}, Case{"get /x", "unknown method"}}) {
    auto e = parse_endpoint(c.text);
    ASSERT_FALSE(e) << c.text;
    EXPECT_NE(e.error().find(c.message_part), std::string::npos) << c.text << ": " << e.error();
  }
}

TEST(ParseMix, WeightsAndDefaults) {
  auto mix = parse_mix("GET /users/1=3, GET /demo/full-flow/1=1,/health");
  ASSERT_TRUE(mix) << mix.error();
  ASSERT_EQ(mix.value().size(), 3u);
  EXPECT_EQ(mix.value()[0].name(), "GET /users/1");
  EXPECT_EQ(mix.value()[0].weight, 3u);
  EXPECT_EQ(mix.value()[1].name(), "GET /demo/full-flow/1");
  EXPECT_EQ(mix.value()[1].weight, 1u);
  EXPECT_EQ(mix.value()[2].weight, 1u);
}

TEST(ParseMix, RejectsBadWeightsAndEntries) {
  for (const char* text : {"GET /a=0", "GET /a=-1", "GET /a=x", "GET /a=10001", "GET /a=1,,GET /b",
                           "GET /a=1,", "=3", "GET /a=1.5"}) {
    EXPECT_FALSE(parse_mix(text)) << text;
  }
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? "," : "") + std::string("/x");
  EXPECT_FALSE(parse_mix(many));
  EXPECT_FALSE(parse_mix("/a=10000,/b=10000,/c=10000,/d=10000,/e=10000,/f=10000,/g=10000,/h=10000,"
                         "/i=10000,/j=10000,/k=10000"));
}

TEST(WeightedSequence, EachEntryExactlyItsWeightAndSpreadOut) {
  auto mix = parse_mix("/a=3,/b=1,/c=2").value();
  const auto seq = weighted_sequence(mix);
  ASSERT_EQ(seq.size(), 6u);
  std::map<std::uint32_t, int> counts;
  for (auto i : seq) ++counts[i];
  EXPECT_EQ(counts[0], 3);
  EXPECT_EQ(counts[1], 1);
  EXPECT_EQ(counts[2], 2);
  // Smooth: the heaviest entry never comes three times in a row.
  for (std::size_t i = 0; i + 2 < seq.size(); ++i) {
    EXPECT_FALSE(seq[i] == 0 && seq[i + 1] == 0 && seq[i + 2] == 0);
  }
}

TEST(WeightedSequence, SingleEntry) {
  auto mix = parse_mix("/only=1").value();
  EXPECT_EQ(weighted_sequence(mix), std::vector<std::uint32_t>{0});
}

}  // namespace
}  // namespace tdemo::loadgen
