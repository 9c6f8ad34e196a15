#include "tracestore/span_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tracestore/test_spans.h"

namespace tdemo::tracestore {
namespace {

using telemetry::AttributeValue;

telemetry::SpanData rich_span() {
  auto s = testing::span(1, 2, 3, "op", testing::resource("svc"), 1'000'000'000, 5'000);
  s.context = telemetry::SpanContext(
      s.context.trace_id(), s.context.span_id(), 1, true,
      std::make_shared<const telemetry::TraceState>(
          std::vector<telemetry::TraceState::Entry>{{"vendor", "x"}, {"other", "y"}}));
  s.attributes = {{"s", std::string("text")},
                  {"b", true},
                  {"i", std::int64_t{-42}},
                  {"d", 2.5},
                  {"sa", std::vector<std::string>{"a", "b"}},
                  {"ba", std::vector<bool>{true, false}},
                  {"ia", std::vector<std::int64_t>{1, -2}},
                  {"da", std::vector<double>{0.5}}};
  s.events.push_back({"exception", 1'000'000'500, {{"exception.type", std::string("E")}}, 1});
  telemetry::Link link;
  link.context = telemetry::SpanContext(testing::trace_id(9), testing::span_id(8), 0, true);
  link.attributes = {{"k", std::int64_t{1}}};
  s.links.push_back(link);
  telemetry::Link local;  // a link to a span of this process: not remote, sampled
  local.context = telemetry::SpanContext(testing::trace_id(10), testing::span_id(11), 1, false);
  s.links.push_back(local);
  s.status_message = "boom";
  s.dropped_attributes_count = 3;
  s.dropped_events_count = 4;
  s.dropped_links_count = 5;
  s.parent_is_remote = true;
  return s;
}

void expect_round_trip(StringInterner* keys) {
  const auto original = rich_span();
  const std::string blob = encode_span_details(original, keys);
  telemetry::SpanData decoded;
  decoded.context = telemetry::SpanContext(original.context.trace_id(), original.context.span_id(), 0, false);
  decoded.start_time_unix_nano = original.start_time_unix_nano;
  ASSERT_TRUE(decode_span_details(blob, keys, decoded));
  EXPECT_EQ(decoded.attributes, original.attributes);
  ASSERT_EQ(decoded.events.size(), 1u);
  EXPECT_EQ(decoded.events[0].name, "exception");
  EXPECT_EQ(decoded.events[0].time_unix_nano, 1'000'000'500u);
  EXPECT_EQ(decoded.events[0].attributes, original.events[0].attributes);
  EXPECT_EQ(decoded.events[0].dropped_attributes_count, 1u);
  ASSERT_EQ(decoded.links.size(), 2u);
  EXPECT_EQ(decoded.links[0].context.trace_id(), testing::trace_id(9));
  EXPECT_EQ(decoded.links[0].context.span_id(), testing::span_id(8));
  EXPECT_EQ(decoded.links[0].attributes, original.links[0].attributes);
  EXPECT_EQ(decoded.links[0].context.flags(), 0);
  EXPECT_TRUE(decoded.links[0].context.remote());
  EXPECT_EQ(decoded.links[1].context.span_id(), testing::span_id(11));
  EXPECT_EQ(decoded.links[1].context.flags(), 1);
  EXPECT_FALSE(decoded.links[1].context.remote());
  EXPECT_EQ(decoded.status_message, "boom");
  EXPECT_EQ(decoded.dropped_attributes_count, 3u);
  EXPECT_EQ(decoded.dropped_events_count, 4u);
  EXPECT_EQ(decoded.dropped_links_count, 5u);
  EXPECT_TRUE(decoded.parent_is_remote);
  EXPECT_EQ(decoded.context.flags(), 1);
  EXPECT_TRUE(decoded.context.remote());
  ASSERT_TRUE(decoded.context.trace_state_ptr());
  EXPECT_EQ(decoded.context.trace_state_ptr()->entries(), original.context.trace_state_ptr()->entries());
}

TEST(SpanCodec, RoundTripsWithInternedKeys) {
  StringInterner keys;
  expect_round_trip(&keys);
  EXPECT_TRUE(keys.find("exception.type").has_value());
}

TEST(SpanCodec, RoundTripsWithInlineKeys) { expect_round_trip(nullptr); }

// The span's attributes as a decoder's references would give them.
std::vector<telemetry::AttributeRef> refs_of(const telemetry::Attributes& attributes) {
  std::vector<telemetry::AttributeRef> refs;
  for (const auto& kv : attributes) {
    telemetry::AttributeRef& ref = refs.emplace_back();
    ref.key = kv.key;
    if (const auto* text = std::get_if<std::string>(&kv.value)) {
      ref.value = std::string_view(*text);
    } else if (const auto* b = std::get_if<bool>(&kv.value)) {
      ref.value = *b;
    } else if (const auto* i = std::get_if<std::int64_t>(&kv.value)) {
      ref.value = *i;
    } else if (const auto* d = std::get_if<double>(&kv.value)) {
      ref.value = *d;
    } else {
      ref.value = &kv.value;
    }
  }
  return refs;
}

// `span`'s blob, encoded and decoded again with `keys` (event times are kept relative to the
// span's start, so the decoded span is given it).
telemetry::SpanData round_trip(const telemetry::SpanData& span, StringInterner* keys,
                               std::size_t& blob_size) {
  const std::string blob = encode_span_details(span, keys);
  blob_size = blob.size();
  telemetry::SpanData decoded;
  decoded.start_time_unix_nano = span.start_time_unix_nano;
  EXPECT_TRUE(decode_span_details(blob, keys, decoded));
  return decoded;
}

// Blobs larger than the writer's first buffer (1 KiB) grow it field by field, keeping what was
// written; a small blob after them on the same thread holds only its own bytes.
TEST(SpanCodec, RoundTripsBlobsLargerThanTheWritersBuffer) {
  auto big = rich_span();
  big.attributes.push_back({"exception.stacktrace", std::string(100'000, 's')});
  for (int i = 0; i < 300; ++i) {
    big.attributes.push_back({"k" + std::to_string(i), std::int64_t{i} * 1'000'003});
  }
  big.events.push_back({"log", 1'000'000'700, {{"message", std::string(5'000, 'm')}}, 0});
  const auto small = rich_span();
  StringInterner interner;
  for (StringInterner* keys : {static_cast<StringInterner*>(nullptr), &interner}) {
    std::size_t size = 0;
    const auto decoded = round_trip(big, keys, size);
    EXPECT_GT(size, 105'000u);
    EXPECT_EQ(decoded.attributes, big.attributes);
    ASSERT_EQ(decoded.events.size(), 2u);
    EXPECT_EQ(decoded.events[1].attributes, big.events[1].attributes);
    EXPECT_EQ(decoded.status_message, "boom");

    EXPECT_EQ(round_trip(small, keys, size).attributes, small.attributes);
    EXPECT_LT(size, 1'000u);
  }
}

TEST(SpanCodec, AttributeRefsEncodeAsTheAttributesTheyStandFor) {
  const auto span = rich_span();  // every value type
  const auto refs = refs_of(span.attributes);
  const std::span<const telemetry::AttributeRef> view(refs);
  auto without = span;
  without.attributes.clear();
  StringInterner keys, same_keys;
  EXPECT_EQ(encode_span_details(without, &keys, &view), encode_span_details(span, &same_keys));
  EXPECT_EQ(encode_span_details(without, nullptr, &view), encode_span_details(span, nullptr));
}

// intern() answers from a slot of recent strings picked by length and first and last eight
// bytes: strings alike in all of those, or landing in one slot, must still get their own ids.
TEST(StringInternerTest, LookAlikesAndSlotCollisionsKeepTheirOwnIds) {
  StringInterner interner;
  std::vector<std::string> texts = {"", "a", "ab", "abcdefgh", "abcdefgh1", "http.request.method",
                                    "http.request.xethod", "http.response.method"};
  for (int i = 0; i < 2000; ++i) texts.push_back("key." + std::to_string(i) + ".suffix");
  std::vector<std::uint32_t> ids;
  for (const auto& t : texts) ids.push_back(interner.intern(t));
  for (int round = 0; round < 3; ++round) {  // again, in another order, through the slots
    for (std::size_t i = texts.size(); i-- > 0;) {
      ASSERT_EQ(interner.intern(texts[i]), ids[i]) << texts[i];
      ASSERT_EQ(interner.get(ids[i]), texts[i]);
      ASSERT_EQ(interner.find(texts[i]), ids[i]);
    }
  }
  EXPECT_EQ(interner.size(), texts.size());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());  // all distinct
}

TEST(SpanCodec, RejectsTruncatedBlobs) {
  StringInterner keys;
  const std::string blob = encode_span_details(rich_span(), &keys);
  EXPECT_EQ(blob.capacity(), blob.size());  // stores hold many: no spare bytes
  for (std::size_t n = 0; n < blob.size(); ++n) {
    telemetry::SpanData decoded;
    EXPECT_FALSE(decode_span_details(std::string_view(blob).substr(0, n), &keys, decoded)) << n;
  }
}

TEST(SpanCodec, RejectsGarbageWithoutCrashing) {
  const std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x07";
  telemetry::SpanData decoded;
  EXPECT_FALSE(decode_span_details(garbage, nullptr, decoded));
  EXPECT_FALSE(details_have_tag(garbage, nullptr, "a", "b"));
}

TEST(SpanCodec, FindsTagsInAttributesAndEvents) {
  StringInterner keys;
  const std::string blob = encode_span_details(rich_span(), &keys);
  EXPECT_TRUE(details_have_tag(blob, &keys, "s", "text"));
  EXPECT_TRUE(details_have_tag(blob, &keys, "b", "true"));
  EXPECT_TRUE(details_have_tag(blob, &keys, "i", "-42"));
  EXPECT_TRUE(details_have_tag(blob, &keys, "d", "2.5"));
  EXPECT_TRUE(details_have_tag(blob, &keys, "exception.type", "E"));
  EXPECT_FALSE(details_have_tag(blob, &keys, "s", "other"));
  EXPECT_FALSE(details_have_tag(blob, &keys, "missing", "text"));
}

TEST(SpanCodec, TagStrings) {
  EXPECT_EQ(tag_string(AttributeValue(std::string("x"))), "x");
  EXPECT_EQ(tag_string(AttributeValue(false)), "false");
  EXPECT_EQ(tag_string(AttributeValue(std::int64_t{7})), "7");
  EXPECT_EQ(tag_string(AttributeValue(std::vector<std::string>{"a", "b"})), "[\"a\",\"b\"]");
  EXPECT_EQ(tag_string(AttributeValue(std::vector<bool>{true})), "[true]");
  // Arrays as Jaeger renders them (Go's json.Marshal), not as std::to_chars or Boost.JSON would.
  EXPECT_EQ(tag_string(AttributeValue(std::vector<double>{1.5, -2.25})), "[1.5,-2.25]");
  EXPECT_EQ(tag_string(AttributeValue(std::vector<std::string>{"a\"<b>"})),
            R"(["a\"\u003cb\u003e"])");
}

TEST(SpanCodec, FindsArrayTagsByTheirJaegerText) {
  telemetry::SpanData s = rich_span();
  s.attributes = {{"weights", std::vector<double>{1.5, -2.25}}};
  const std::string blob = encode_span_details(s, nullptr);
  EXPECT_TRUE(details_have_tag(blob, nullptr, "weights", "[1.5,-2.25]"));
  EXPECT_FALSE(details_have_tag(blob, nullptr, "weights", "[1.5E0,-2.25E0]"));
}

}  // namespace
}  // namespace tdemo::tracestore
