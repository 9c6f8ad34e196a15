#include "services/common/validation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tdemo::services {
namespace {

boost::json::value parse(std::string_view text) { return boost::json::parse(text); }

std::string loc_of(const http::ValidationIssue& issue) {
  std::string out;
  for (const auto& part : issue.loc) {
    if (!out.empty()) out += ".";
    if (const auto* s = std::get_if<std::string>(&part)) {
      out += *s;
    } else {
      out += std::to_string(std::get<std::int64_t>(part));
    }
  }
  return out;
}

TEST(ValidationTest, ValidUserBody) {
  auto body = parse(R"({"name": "Ada", "email": "ada@example.com"})");
  BodyValidator v(body);
  EXPECT_EQ(v.string_field("name", 1, 100), "Ada");
  EXPECT_EQ(v.email_field("email"), "ada@example.com");
  EXPECT_TRUE(v.ok());
}

TEST(ValidationTest, ReportsEveryProblemLikePydantic) {
  auto body = parse(R"({"name": ""})");
  BodyValidator v(body);
  EXPECT_FALSE(v.string_field("name", 1, 100));
  EXPECT_FALSE(v.email_field("email"));
  ASSERT_EQ(v.issues().size(), 2u);
  EXPECT_EQ(v.issues()[0].type, "string_too_short");
  EXPECT_EQ(v.issues()[0].msg, "String should have at least 1 character");
  EXPECT_EQ(loc_of(v.issues()[0]), "body.name");
  EXPECT_EQ(v.issues()[1].type, "missing");
  EXPECT_EQ(v.issues()[1].msg, "Field required");
  EXPECT_EQ(loc_of(v.issues()[1]), "body.email");
}

TEST(ValidationTest, StringLimitsCountCharactersNotBytes) {
  std::string hundred_e_acute;
  for (int i = 0; i < 100; ++i) hundred_e_acute += "\xC3\xA9";
  auto ok_body = boost::json::value{{"name", hundred_e_acute}};
  BodyValidator ok(ok_body);
  EXPECT_TRUE(ok.string_field("name", 1, 100));
  auto long_body = boost::json::value{{"name", std::string(101, 'a')}};
  BodyValidator too_long(long_body);
  EXPECT_FALSE(too_long.string_field("name", 1, 100));
  EXPECT_EQ(too_long.issues()[0].type, "string_too_long");
  auto number_body = parse(R"({"name": 5})");
  BodyValidator wrong_type(number_body);
  EXPECT_FALSE(wrong_type.string_field("name", 1, 100));
  EXPECT_EQ(wrong_type.issues()[0].type, "string_type");
}

TEST(ValidationTest, Emails) {
  for (const char* good : {"a@b.co", "first.last+tag@sub.example.org"}) {
    EXPECT_FALSE(email_problem(good)) << good;
  }
  for (const char* bad : {"no-at-sign", "@example.com", "a@", "a@localhost", "a b@example.com",
                          "a@exa_mple.com", "a..b@example.com", "a@example..com", "a@-x.com"}) {
    EXPECT_TRUE(email_problem(bad)) << bad;
  }
  auto body = parse(R"({"email": "nope"})");
  BodyValidator v(body);
  EXPECT_FALSE(v.email_field("email"));
  EXPECT_EQ(v.issues()[0].type, "value_error");
  EXPECT_EQ(v.issues()[0].msg,
            "value is not a valid email address: An email address must have an @-sign.");
}

TEST(ValidationTest, MoneyInCentsWithAtMostTwoDecimals) {
  const struct { const char* json; std::optional<std::int64_t> cents; } cases[] = {
      {"99.99", 9999}, {"1", 100}, {"0.1", 10}, {"0.01", 1}, {"\"12.50\"", 1250},
      {"19.999", std::nullopt}, {"\"1.234\"", std::nullopt}, {"\"1.230\"", 123},
      {"\"abc\"", std::nullopt}, {"true", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_cents(parse(c.json)), c.cents) << c.json;
  EXPECT_EQ(format_cents(9999), "99.99");
  EXPECT_EQ(format_cents(5), "0.05");
  EXPECT_EQ(format_cents(-150), "-1.50");
}

TEST(ValidationTest, MoneyFieldErrors) {
  const struct { const char* json; const char* type; } cases[] = {
      {R"({"amount": 0})", "greater_than"},
      {R"({"amount": -5})", "greater_than"},
      {R"({"amount": 1.005})", "decimal_max_places"},
      {R"({"amount": "lots"})", "float_parsing"},
      {R"({"amount": [1]})", "float_type"},
      {R"({"amount": 2000000})", "less_than_equal"},
      {R"({})", "missing"},
  };
  for (const auto& c : cases) {
    auto body = parse(c.json);
    BodyValidator v(body);
    EXPECT_FALSE(v.money_field("amount", 100'000'000)) << c.json;
    ASSERT_EQ(v.issues().size(), 1u) << c.json;
    EXPECT_EQ(v.issues()[0].type, c.type) << c.json;
  }
}

TEST(ValidationTest, Integers) {
  const struct { const char* json; std::optional<std::int64_t> value; const char* type; } cases[] = {
      {R"({"id": 3})", 3, ""},
      {R"({"id": 3.0})", 3, ""},
      {R"({"id": "7"})", 7, ""},
      {R"({"id": 3.5})", std::nullopt, "int_from_float"},
      {R"({"id": "x"})", std::nullopt, "int_parsing"},
      {R"({"id": true})", std::nullopt, "int_type"},
      {R"({"id": 0})", std::nullopt, "greater_than"},
  };
  for (const auto& c : cases) {
    auto body = parse(c.json);
    BodyValidator v(body);
    EXPECT_EQ(v.int_field("id", 0), c.value) << c.json;
    if (!c.value) {
      ASSERT_EQ(v.issues().size(), 1u);
      EXPECT_EQ(v.issues()[0].type, c.type) << c.json;
    }
  }
}

TEST(ValidationTest, BodyMustBeAnObject) {
  auto body = parse("[1, 2]");
  BodyValidator v(body);
  EXPECT_FALSE(v.is_object());
  ASSERT_EQ(v.issues().size(), 1u);
  EXPECT_EQ(v.issues()[0].type, "model_attributes_type");
  EXPECT_EQ(loc_of(v.issues()[0]), "body");
}

TEST(ValidationTest, OptionalList) {
  auto absent = parse("{}");
  BodyValidator a(absent);
  EXPECT_EQ(a.optional_list_field("items", 3)->size(), 0u);
  auto wrong = parse(R"({"items": "book"})");
  BodyValidator w(wrong);
  EXPECT_FALSE(w.optional_list_field("items", 3));
  EXPECT_EQ(w.issues()[0].type, "list_type");
  auto many = parse(R"({"items": [1, 2, 3, 4]})");
  BodyValidator m(many);
  EXPECT_FALSE(m.optional_list_field("items", 3));
  EXPECT_EQ(m.issues()[0].type, "too_long");
}

TEST(ValidationTest, CardNumberNeverEchoed) {
  const char* bodies[] = {R"({"card": "4242424242424241"})",  // Luhn fails
                          R"({"card": "4242-4242-42x"})",
                          R"({"card": 4242424242424242})"};
  for (const char* json : bodies) {
    auto body = parse(json);
    BodyValidator v(body);
    EXPECT_FALSE(v.card_number_field("card")) << json;
    ASSERT_EQ(v.issues().size(), 1u);
    const std::string shown = boost::json::serialize(v.issues()[0].input);
    EXPECT_EQ(shown.find("424242"), std::string::npos) << shown;
  }
  auto good = parse(R"({"card": "4242 4242 4242 4242"})");
  BodyValidator g(good);
  EXPECT_EQ(g.card_number_field("card"), "4242424242424242");
}

// A card number where no card is expected (a misspelt field, another field, a body that is not
// an object) is masked in every echoed input too.
TEST(ValidationTest, CardNumbersInOtherInputsAreMasked) {
  const struct { const char* body; const char* field; const char* shown; } cases[] = {
      {R"({"card_numbr": "4242 4242 4242 4242"})", "card_number", R"({"card_numbr":"****4242"})"},
      {R"({"amount": "4242424242424242"})", "amount", R"("****4242")"},
      {R"({"amount": 4242424242424242})", "amount", R"("****")"},
      {R"({"amount": [1, "x 5555555555554444"]})", "amount", R"([1,"x ****4444"])"},
      {R"({"amount": {"4242424242424242": 1}})", "amount", R"({"****4242":1})"},
      {R"(["4242424242424242"])", nullptr, R"(["****4242"])"},
      {R"("4242424242424242")", nullptr, R"("****4242")"},
      {R"({"amount": "12345678901"})", "amount", R"("12345678901")"},  // 11 digits: not a card
  };
  for (const auto& c : cases) {
    auto body = parse(c.body);
    BodyValidator v(body);
    if (c.field != nullptr) {
      if (std::string_view(c.field) == "amount") {
        EXPECT_FALSE(v.money_field("amount", 100000)) << c.body;
      } else {
        EXPECT_FALSE(v.int_field(c.field, 0)) << c.body;
      }
    }
    ASSERT_EQ(v.issues().size(), 1u) << c.body;
    EXPECT_EQ(boost::json::serialize(v.issues()[0].input), c.shown) << c.body;
  }
}

TEST(ValidationTest, ShownBodyRedactsMissingFieldInput) {
  auto body = parse(R"({"card": "4242424242424242"})");
  BodyValidator v(body, boost::json::value{{"card", "****4242"}});
  EXPECT_FALSE(v.int_field("order_id", 0));
  ASSERT_EQ(v.issues().size(), 1u);
  EXPECT_EQ(boost::json::serialize(v.issues()[0].input), R"({"card":"****4242"})");
}

}  // namespace
}  // namespace tdemo::services
