#include "services/common/card.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace tdemo::services {
namespace {

TEST(CardTest, NormalizesDigitsSpacesAndDashes) {
  EXPECT_EQ(normalize_card_number("4242 4242-4242 4242"), "4242424242424242");
  EXPECT_FALSE(normalize_card_number("4242x4242424242424"));
  EXPECT_FALSE(normalize_card_number("12345678901"));           // 11 digits
  EXPECT_FALSE(normalize_card_number("12345678901234567890"));  // 20 digits
}

TEST(CardTest, LuhnCheck) {
  EXPECT_TRUE(luhn_valid("4242424242424242"));
  EXPECT_TRUE(luhn_valid("4000000000000002"));
  EXPECT_TRUE(luhn_valid("5555555555554444"));
  EXPECT_FALSE(luhn_valid("4242424242424241"));
  EXPECT_FALSE(luhn_valid(""));
}

TEST(CardTest, MasksToTheLastFourDigits) {
  const struct { const char* in; const char* out; } cases[] = {
      {"4242424242424242", "****4242"},
      {"4242 4242 4242 1234", "****1234"},
      {"12345", "****"},  // too short to show any digit
      {"", "****"},
  };
  for (const auto& c : cases) EXPECT_EQ(mask_card_number(c.in), c.out) << c.in;
  EXPECT_EQ(last_four_digits("4242424242424242"), "4242");
}

TEST(CardTest, MasksCardNumbersAnywhereInText) {
  const struct { const char* in; const char* out; } cases[] = {
      {"4242424242424242", "****4242"},
      {"pay 4242 4242 4242 1234 now", "pay ****1234 now"},
      {"a 4242-4242-4242-1234, b 5555555555554444", "a ****1234, b ****4444"},
      {"12345678901234567890123", "****0123"},            // longer than a card: still hidden
      {"card4242424242424242cvv", "card****4242cvv"},
      {"order 12345678901 at 2024-01-02", "order 12345678901 at 2024-01-02"},  // 11 digits: kept
      {"1 2 3", "1 2 3"},
      {"/users/123456 and 654321", "/users/123456 and 654321"},  // 12 digits, no run of 12
      {"id 123456-654321 x", "id ****4321 x"},             // 12 digits, one run
      {"/orders/12345678901", "/orders/12345678901"},     // 11 digits in all
      {"4242  4242 4242 4242", "4242  ****4242"},         // two spaces end a run
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(mask_card_numbers_in(c.in), c.out) << c.in;
}

// The same masking without the check for a long enough run that skips the usual text: every
// string of 1-9 characters over digits, separators and others, and longer ones at random.
std::string mask_every_run(std::string_view text) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i, digits = 0;
    while (end < text.size()) {
      if (is_digit(text[end])) {
        ++end;
        ++digits;
      } else if ((text[end] == ' ' || text[end] == '-') && end + 1 < text.size() && is_digit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    out += digits >= 12 ? mask_card_number(text.substr(i, end - i)) : std::string(text.substr(i, end - i));
    i = end;
  }
  return out;
}

TEST(CardTest, MaskingInTextMatchesMaskingEveryRun) {
  const std::string alphabet = "1 -.";
  for (std::size_t length = 1; length <= 9; ++length) {
    std::string text(length, '1');
    std::size_t combinations = 1;
    for (std::size_t i = 0; i < length; ++i) combinations *= alphabet.size();
    for (std::size_t n = 0; n < combinations; ++n) {
      std::size_t rest = n;
      for (auto& c : text) {
        c = alphabet[rest % alphabet.size()];
        rest /= alphabet.size();
      }
      // Nine characters hold fewer than 12 digits: repeated, the text holds runs long enough.
      const std::string twice = text + text + text;
      ASSERT_EQ(mask_card_numbers_in(twice), mask_every_run(twice)) << twice;
    }
  }
  std::srand(7);
  for (int n = 0; n < 20000; ++n) {
    std::string text(static_cast<std::size_t>(std::rand() % 60), ' ');
    for (auto& c : text) c = "0123456789 -.:/x"[std::rand() % 16];
    ASSERT_EQ(mask_card_numbers_in(text), mask_every_run(text)) << text;
  }
  EXPECT_EQ(mask_card_numbers_in("http://127.0.0.1:8002/orders/123"), "http://127.0.0.1:8002/orders/123");
}

// Text of fewer than 12 digits in all is passed over by a count of its digits eight bytes at a
// time: any byte value, at any place among 11 to 13 digits, is counted as a digit or not
// exactly as the run-by-run masking counts it.
TEST(CardTest, EveryByteAmongDigitsIsCountedAsTheRunsCountIt) {
  for (std::size_t digits = 11; digits <= 13; ++digits) {
    const std::string plain = std::string("9012345678909").substr(0, digits);  // both ends of the digits
    for (int value = 0; value < 256; ++value) {
      for (std::size_t at = 0; at <= plain.size(); ++at) {
        std::string text = plain;
        text.insert(at, 1, static_cast<char>(value));
        ASSERT_EQ(mask_card_numbers_in(text), mask_every_run(text)) << "byte " << value << " at " << at;
        const std::string padded = "x" + text + "/y";  // other word boundaries
        ASSERT_EQ(mask_card_numbers_in(padded), mask_every_run(padded)) << "byte " << value << " at " << at;
      }
    }
  }
}

TEST(CardTest, IdAttributesHideIdsLongEnoughToBeCardNumbers) {
  EXPECT_EQ(id_attribute(42), telemetry::AttributeValue(std::int64_t{42}));
  EXPECT_EQ(id_attribute(99'999'999'999), telemetry::AttributeValue(std::int64_t{99'999'999'999}));
  EXPECT_EQ(id_attribute(-7), telemetry::AttributeValue(std::int64_t{-7}));
  EXPECT_EQ(id_attribute(4242424242424242), telemetry::AttributeValue(std::string("****4242")));
  EXPECT_EQ(id_attribute(100'000'000'000), telemetry::AttributeValue(std::string("****0000")));
  EXPECT_EQ(id_attribute(-4242424242424242), telemetry::AttributeValue(std::string("****4242")));
  EXPECT_EQ(id_attribute(INT64_MAX), telemetry::AttributeValue(std::string("****5807")));
}

}  // namespace
}  // namespace tdemo::services
