// POST /payments' body and header parsing (parse_payment_create): the validated request, and
// 422 answers that never show the card number.
#include "services/payments/handlers.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tdemo::services::payments {
namespace {

http::Request payment_request(std::string body, std::optional<std::string> key = std::nullopt) {
  http::Request request;
  request.set_target("POST", "/payments");
  request.headers.add("Content-Type", "application/json");
  if (key) request.headers.add("Idempotency-Key", *key);
  request.body = std::move(body);
  return request;
}

std::string first_issue_type(const http::Response& response) {
  return boost::json::value_to<std::string>(
      boost::json::parse(response.body).at("detail").at(0).at("type"));
}

constexpr const char* kValidBody =
    R"({"order_id": 7, "amount": "99.99", "card_number": "4242 4242 4242 4242"})";

TEST(ParsePaymentCreateTest, ValidBodyAndKey) {
  auto parsed = parse_payment_create(payment_request(kValidBody, "retry-1"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().body;
  EXPECT_EQ(parsed.value().order_id, 7);
  EXPECT_EQ(parsed.value().amount_cents, 9999);
  EXPECT_EQ(parsed.value().card_digits, "4242424242424242");
  EXPECT_EQ(parsed.value().idempotency_key, "retry-1");
}

TEST(ParsePaymentCreateTest, RejectsAndNeverEchoesTheCard) {
  struct Case {
    std::string body;
    std::optional<std::string> key;
    int status;
    const char* type;
  };
  const Case cases[] = {
      {R"({"order_id": 7, "amount": 1, "card_number": "4242424242424241"})",
       {},
       422,
       "value_error"},
      {R"({"order_id": 0, "amount": 1, "card_number": "4242424242424242"})",
       {},
       422,
       "greater_than"},
      {R"({"order_id": 7, "amount": 1.001, "card_number": "4242424242424242"})",
       {},
       422,
       "decimal_max_places"},
      {R"({"order_id": 7, "amount": 1e999, "card_number": "4242424242424242"})",
       {},
       422,
       "json_invalid"},
      {kValidBody, std::string(256, 'k'), 422, "string_too_long"},
      {kValidBody, std::string("key-\xff\xfe"), 422, "string_unicode"},
      {kValidBody, std::string("\xed\xa0\x80"), 422, "string_unicode"},  // a surrogate
  };
  for (const auto& c : cases) {
    auto parsed = parse_payment_create(payment_request(c.body, c.key));
    ASSERT_FALSE(parsed.ok()) << c.body;
    EXPECT_EQ(parsed.error().status, c.status) << c.body;
    EXPECT_EQ(first_issue_type(parsed.error()), c.type) << parsed.error().body;
    EXPECT_EQ(parsed.error().body.find("424242424242424"), std::string::npos)
        << parsed.error().body;
  }
  auto text = payment_request(kValidBody);
  text.headers.set("Content-Type", "text/plain");
  auto refused = parse_payment_create(text);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status, 415);
}

}  // namespace
}  // namespace tdemo::services::payments
