#include "services/common/card.h"

#include <gtest/gtest.h>

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
