#include "telemetry/attributes.h"

#include <gtest/gtest.h>

#include <thread>

namespace tdemo::telemetry {
namespace {

TEST(AttributesTest, SetReplacesExistingKey) {
  Attributes list;
  EXPECT_TRUE(set_attribute(list, "a", attribute(1), 2));
  EXPECT_TRUE(set_attribute(list, "b", attribute("x"), 2));
  EXPECT_TRUE(set_attribute(list, "a", attribute(2), 2));  // replace works at the limit
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(list[0].value), 2);
  EXPECT_FALSE(set_attribute(list, "c", attribute(true), 2));
  EXPECT_EQ(list.size(), 2u);
}

TEST(AttributesTest, ClearedEntriesAreReusedWithTheirKeyBuffers) {
  const std::string long_key = "http.response.status_code.with.a.long.suffix";
  Attributes first;
  ASSERT_TRUE(
      set_attribute(first, long_key, attribute("a value long enough to be on the heap"), 8));
  clear_attributes_for_reuse(first);
  EXPECT_TRUE(first.empty());

  Attributes second;
  const std::string next_key = "a.different.long.key.name";  // longer than the inline buffer
  ASSERT_TRUE(set_attribute(second, next_key, attribute(7), 8));
  ASSERT_TRUE(set_attribute(second, next_key, attribute(8), 8));  // replaces, does not append
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].key, next_key);
  EXPECT_EQ(second[0].value, attribute(8));
  // The new key went into the cleared key's buffer: no allocation for it.
  EXPECT_GE(second[0].key.capacity(), long_key.size());
  EXPECT_FALSE(set_attribute(second, "other", attribute(true), 1));  // the count limit holds
}

// A span's keys cycle through the spare buffers in any order: a short heap key's buffer must
// still fit a longer key next time, or every span reallocates it.
TEST(AttributesTest, ASpareFromAShorterKeyFitsALongerOneWithoutReallocating) {
  Attributes first;
  ASSERT_TRUE(set_attribute(first, "http.request.method", attribute("GET"), 8));  // 19 bytes
  const char* buffer = first[0].key.data();
  clear_attributes_for_reuse(first);

  Attributes second;
  ASSERT_TRUE(set_attribute(second, "http.response.status_code", attribute(200), 8));  // 25
  EXPECT_EQ(second[0].key, "http.response.status_code");
  EXPECT_EQ(second[0].key.data(), buffer) << "the spare buffer was reallocated";
  clear_attributes_for_reuse(second);
}

TEST(AttributesTest, TruncateCutsAtUtf8Boundary) {
  struct Case {
    std::string input;
    std::size_t limit;
    std::string expected;
  };
  const Case cases[] = {
      {"hello", 0, "hello"},  // 0 = no limit
      {"hello", 3, "hel"},
      {"hello", 10, "hello"},
      {"h\xC3\xA9llo", 2, "h"},  // é is 2 bytes: not split
      {"h\xC3\xA9llo", 3, "h\xC3\xA9"},
      {"\xE2\x82\xAC", 2, ""},  // € is 3 bytes
  };
  for (const auto& c : cases) {
    AttributeValue value = c.input;
    truncate_value(value, c.limit);
    EXPECT_EQ(std::get<std::string>(value), c.expected) << c.input << " " << c.limit;
  }
  AttributeValue array = std::vector<std::string>{"abcdef", "xy"};
  truncate_value(array, 3);
  EXPECT_EQ(std::get<std::vector<std::string>>(array), (std::vector<std::string>{"abc", "xy"}));
  AttributeValue number = std::int64_t{123456};
  truncate_value(number, 2);
  EXPECT_EQ(std::get<std::int64_t>(number), 123456);
}

TEST(AttributesTest, DisplayString) {
  EXPECT_EQ(to_display_string(attribute("x")), "x");
  EXPECT_EQ(to_display_string(attribute(true)), "true");
  EXPECT_EQ(to_display_string(attribute(-4)), "-4");
  EXPECT_EQ(to_display_string(attribute(1.5)), "1.5");
  EXPECT_EQ(to_display_string(AttributeValue(std::vector<std::int64_t>{1, 2})), "[1, 2]");
  EXPECT_EQ(to_display_string(AttributeValue(std::vector<bool>{true, false})), "[true, false]");
  EXPECT_EQ(to_display_string(AttributeValue(std::vector<std::string>{"a", "b"})), "[a, b]");
}

TEST(AttributesTest, FindAttributeByKeyAndType) {
  const Attributes list = {
      {"name", attribute("x")}, {"hit", attribute(true)}, {"port", attribute(8080)}};
  ASSERT_NE(find_attribute<std::string>(list, "name"), nullptr);
  EXPECT_EQ(*find_attribute<std::string>(list, "name"), "x");
  EXPECT_EQ(*find_attribute<bool>(list, "hit"), true);
  EXPECT_EQ(*find_attribute<std::int64_t>(list, "port"), 8080);
  EXPECT_EQ(find_attribute<std::string>(list, "port"), nullptr);  // another type
  EXPECT_EQ(find_attribute<bool>(list, "missing"), nullptr);
}

TEST(AttributesTest, AppendAttributeKeepsDuplicatesAndReusesSpareKeys) {
  Attributes first;
  append_attribute(first, "a.key.longer.than.the.inline.buffer") = std::int64_t{1};
  const char* buffer = first[0].key.data();
  clear_attributes_for_reuse(first);  // its key's buffer becomes a spare
  Attributes list;
  append_attribute(list, "k") = std::string("v1");
  append_attribute(list, "k") = std::string("v2");  // kept: decoders keep what was sent
  AttributeValue& fresh = append_attribute(list, "another.key.longer.than.the.inline.buffer");
  EXPECT_EQ(std::get<std::string>(fresh), "");  // a new entry holds an empty string
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].key, "k");
  EXPECT_EQ(std::get<std::string>(list[1].value), "v2");
  EXPECT_EQ(list[2].key, "another.key.longer.than.the.inline.buffer");
  EXPECT_EQ(list[2].key.data(), buffer);  // the spare's heap buffer, not a new allocation
}

// Text values (URLs, queries, user agents) cycle through the same spare buffers as keys.
// On a thread of its own: earlier tests may have filled this thread's spares to their limit.
void text_values_reuse_spare_buffers() {
  Attributes first;
  append_text_attribute(first, "k", "a value long enough to be on the heap");
  const char* buffer = std::get<std::string>(first[0].value).data();
  clear_attributes_for_reuse(first);  // its value's buffer becomes a spare
  // Had the buffer been freed instead, the allocator would hand it to the next request of its
  // size: this one, so that the buffer can come back below only as a spare.
  const std::string blocker(47, 'b');

  Attributes second;
  append_text_attribute(second, "k", "another value, longer than the inline buffer");
  EXPECT_EQ(std::get<std::string>(second[0].value), "another value, longer than the inline buffer");
  EXPECT_EQ(std::get<std::string>(second[0].value).data(), buffer) << "not the spare buffer";
  clear_attributes_for_reuse(second);
  const std::string second_blocker(47, 'b');

  // And a value set on a span, through assign_text.
  std::string target;
  assign_text(target, "a third value that needs the heap as well");
  EXPECT_EQ(target.data(), buffer);
  EXPECT_EQ(target, "a third value that needs the heap as well");
  std::string inline_text;
  assign_text(inline_text, "short");  // fits the inline buffer: no spare taken
  EXPECT_EQ(inline_text, "short");
}

TEST(AttributesTest, TextValuesReuseSpareBuffers) { std::thread(text_values_reuse_spare_buffers).join(); }

}  // namespace
}  // namespace tdemo::telemetry
