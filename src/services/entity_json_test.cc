// The entities' JSON, written field by field (JsonObjectWriter), must read as the document the
// services answered with before: same fields, order, numbers and nulls.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/common/json_text.h"
#include "services/orders/service.h"
#include "services/payments/service.h"
#include "services/users/service.h"

namespace tdemo::services {
namespace {

TEST(EntityJsonTest, UserAsADocument) {
  storage::User user{7, "Zoë \"Z\" Quote", "zoe@example.com", "2026-12-06T11:33:44.997Z"};
  const std::string text = users::user_json(user);
  EXPECT_EQ(text, to_json_text(boost::json::object{{"id", 7},
                                                   {"name", "Zoë \"Z\" Quote"},
                                                   {"email", "zoe@example.com"},
                                                   {"created_at", "2026-12-06T11:33:44.997Z"}}));
}

TEST(EntityJsonTest, OrderAsADocumentItemsEmbeddedPaymentIdOrNull) {
  storage::Order order;
  order.id = 3;
  order.user_id = 1;
  order.amount_cents = 9999;
  // Stored as Boost.JSON writes it (1.5 as 1.5E0), answered as the services write numbers.
  order.items_json = boost::json::serialize(boost::json::parse(R"(["book",{"sku":"x","qty":2,"w":1.5}])"));
  order.status = "created";
  order.created_at = "2026-12-06T00:00:00.000Z";
  boost::json::object expected{{"id", 3},
                               {"user_id", 1},
                               {"amount", 99.99},
                               {"items", boost::json::parse(order.items_json)},
                               {"status", "created"},
                               {"created_at", "2026-12-06T00:00:00.000Z"},
                               {"payment_id", nullptr}};
  EXPECT_EQ(orders::order_json(order), to_json_text(expected));
  order.payment_id = 12;
  order.status = "paid";
  order.amount_cents = 500;
  expected["payment_id"] = 12;
  expected["status"] = "paid";
  expected["amount"] = 5.0;
  EXPECT_EQ(orders::order_json(order), to_json_text(expected));
  EXPECT_NE(orders::order_json(order).find(R"("amount":5.0,)"), std::string::npos);
  EXPECT_NE(orders::order_json(order).find(R"("w":1.5})"), std::string::npos);
  order.items_json = "not json";  // a row that holds something else reads as no items
  expected["items"] = boost::json::array{};
  EXPECT_EQ(orders::order_json(order), to_json_text(expected));
}

TEST(EntityJsonTest, PaymentAsADocumentWithNullsAndDeclineBody) {
  storage::Payment payment;
  payment.id = 5;
  payment.order_id = 3;
  payment.amount_cents = 1050;
  payment.card_last4 = "4242";
  payment.status = "pending";
  payment.created_at = "2026-12-06T00:00:00.000Z";
  boost::json::object expected{{"id", 5},
                               {"order_id", 3},
                               {"amount", 10.5},
                               {"status", "pending"},
                               {"card", "****4242"},
                               {"created_at", "2026-12-06T00:00:00.000Z"},
                               {"transaction_id", nullptr},
                               {"idempotency_key", nullptr},
                               {"decline_reason", nullptr}};
  EXPECT_EQ(payments::payment_json(payment), to_json_text(expected));
  payment.status = "declined";
  payment.idempotency_key = "key-1";
  payment.decline_reason = "insufficient_funds";
  expected["status"] = "declined";
  expected["idempotency_key"] = "key-1";
  expected["decline_reason"] = "insufficient_funds";
  EXPECT_EQ(payments::payment_json(payment), to_json_text(expected));
  const auto declined = payments::declined_response(payment);
  EXPECT_EQ(declined.status, 402);
  EXPECT_EQ(declined.body, to_json_text(boost::json::object{{"detail", "Payment declined: insufficient_funds"},
                                                            {"reason", "insufficient_funds"},
                                                            {"payment", expected}}));
}

TEST(EntityJsonTest, UserJsonIsRecognizedAndNothingElse) {
  for (const storage::User& user :
       {storage::User{7, "Zoë \"Z\" Quote", "zoe@example.com", "2026-12-06T11:33:44.997Z"},
        storage::User{-12, "tab\tand\x01control", "", ""},
        storage::User{999999999999999999, "back\\slash", "a@b.c", "x"}}) {
    EXPECT_TRUE(users::is_user_json(users::user_json(user))) << users::user_json(user);
  }
  // Other writers' valid forms of a user, parsed rather than answered as they are.
  const std::string good = R"({"id":1,"name":"A","email":"a@example.com","created_at":"t"})";
  ASSERT_TRUE(users::is_user_json(good));
  EXPECT_TRUE(users::is_user_json(R"({"id":1,"name":"A\/\u00e9","email":"","created_at":""})"));
  for (const std::string& bad : {
           std::string(R"({"id": 1,"name":"A","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"name":"A","id":1,"email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":1,"name":"A","email":"a@example.com"})"),
           std::string(R"({"id":1,"name":"A","email":"a@example.com","created_at":"t","x":1})"),
           std::string(R"({"id":"1","name":"A","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":01,"name":"A","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":-,"name":"A","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":1.5,"name":"A","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":1234567890123456789,"name":"A","email":"a","created_at":"t"})"),
           std::string(R"({"id":1,"name":"A\x","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":1,"name":"A\u12g4","email":"a@example.com","created_at":"t"})"),
           std::string(R"({"id":1,"name":"A\u12","email":"","created_at":""})"),
           std::string("{\"id\":1,\"name\":\"A\nB\",\"email\":\"\",\"created_at\":\"\"}"),
           std::string("{\"id\":1,\"name\":\"\xC3\",\"email\":\"\",\"created_at\":\"\"}"),
           std::string(R"({"id":1,"name":"A","email":"a@example.com","created_at":"t"} )"),
           std::string(R"({"id":1,"name":"A","email":"a@example.com","created_at":"t)"),
           std::string(R"({"id":1,"name":null,"email":"a@example.com","created_at":"t"})"),
           std::string(""),
       }) {
    EXPECT_FALSE(users::is_user_json(bad)) << bad;
  }
  for (std::size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(users::is_user_json(good.substr(0, n))) << n;
}

TEST(JsonObjectWriterTest, FieldsInOrderEscapedAndReusableAfterTake) {
  JsonObjectWriter writer(8);
  EXPECT_EQ(writer.take(), "{}");
  writer.field("s", "a\"b\n").field("i", std::int64_t{-3}).field("d", 2.0).null_field("n").json_field("j", "[1]");
  EXPECT_EQ(writer.take(), R"({"s":"a\"b\n","i":-3,"d":2.0,"n":null,"j":[1]})");
  EXPECT_EQ(writer.field("again", std::int64_t{1}).take(), R"({"again":1})");
}

}  // namespace
}  // namespace tdemo::services
