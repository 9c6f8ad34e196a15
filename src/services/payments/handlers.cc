#include "services/payments/handlers.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "services/common/card.h"
#include "services/common/responses.h"
#include "services/common/route_docs.h"
#include "services/common/validation.h"
#include "services/orders/handlers.h"
#include "services/common/json_text.h"
#include "telemetry/span.h"
#include "telemetry/utf8.h"

namespace tdemo::services::payments {

boost::json::value payment_schema() {
  return boost::json::parse(R"({
    "title": "Payment", "type": "object",
    "required": ["id", "order_id", "amount", "status", "card", "created_at"],
    "properties": {
      "id": {"title": "Id", "type": "integer"},
      "order_id": {"title": "Order Id", "type": "integer"},
      "amount": {"title": "Amount", "type": "number"},
      "status": {"title": "Status", "type": "string", "enum": ["pending", "completed", "declined"]},
      "card": {"title": "Card", "type": "string", "description": "masked: ****1234"},
      "transaction_id": {"title": "Transaction Id", "anyOf": [{"type": "string"}, {"type": "null"}]},
      "idempotency_key": {"title": "Idempotency Key", "anyOf": [{"type": "string"}, {"type": "null"}]},
      "decline_reason": {"title": "Decline Reason", "anyOf": [{"type": "string"}, {"type": "null"}]},
      "created_at": {"title": "Created At", "type": "string", "format": "date-time"}
    }})");
}

boost::json::value payment_create_schema() {
  return boost::json::parse(R"({
    "title": "PaymentCreate", "type": "object", "required": ["order_id", "amount", "card_number"],
    "properties": {
      "order_id": {"title": "Order Id", "type": "integer", "exclusiveMinimum": 0},
      "amount": {"title": "Amount", "type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01,
                 "description": "must equal the order's amount"},
      "card_number": {"title": "Card Number", "type": "string", "pattern": "^[0-9 -]{12,23}$",
                      "description": "12-19 digits passing the Luhn check; only the last four are kept. Test cards: 4000000000000002 always declines, 4000000000009995 has insufficient funds."}
    },
    "example": {"order_id": 1, "amount": 99.99, "card_number": "4242424242424242"}})");
}

boost::json::value redact_payment_body(const boost::json::value& body) {
  boost::json::value copy = body;
  if (auto* object = copy.if_object()) {
    for (auto& [key, value] : *object) {
      if (key == "card_number" || key == "card" || key == "payment_method") {
        value = value.is_string() ? boost::json::value(mask_card_number(value.as_string()))
                                  : boost::json::value("****");
      }
    }
  }
  return copy;
}

Outcome<PaymentRequest> parse_payment_create(const http::Request& request) {
  auto body = http::parse_json_body(request);
  if (body.error) return std::move(*body.error);
  BodyValidator validator(body.value, redact_payment_body(body.value));
  PaymentRequest parsed;
  auto order_id = validator.int_field("order_id", 0);
  auto amount = validator.money_field("amount", orders::kMaxAmountCents);
  auto card = validator.card_number_field("card_number");
  if (auto key = request.header("Idempotency-Key")) {
    if (key->empty() || key->size() > kMaxIdempotencyKeyLength) {
      http::ValidationIssue issue;
      issue.loc = {std::string("header"), std::string("idempotency-key")};
      issue.type = "string_too_long";
      issue.msg = "Idempotency-Key must have 1 to 255 characters";
      issue.input = nullptr;
      validator.add_issue(std::move(issue));
    } else if (!telemetry::is_valid_utf8(*key)) {
      // HTTP allows any byte >= 0x80 in a header; the key is stored and answered in JSON.
      http::ValidationIssue issue;
      issue.loc = {std::string("header"), std::string("idempotency-key")};
      issue.type = "string_unicode";
      issue.msg = "Input should be a valid string, unable to parse raw data as a unicode string";
      issue.input = nullptr;
      validator.add_issue(std::move(issue));
    } else {
      parsed.idempotency_key = std::string(*key);
    }
  }
  if (!validator.ok()) return http::validation_error(validator.issues());
  parsed.order_id = *order_id;
  parsed.amount_cents = *amount;
  parsed.card_digits = std::move(*card);
  return parsed;
}

void add_routes(http::Router& router, PaymentService& service, storage::PaymentRepository& repository,
                BlockingPool& blocking) {
  router.add_schema("Payment", payment_schema());
  router.add_schema("PaymentCreate", payment_create_schema());

  auto pay_doc = route_doc("Pay an order", "payments");
  pay_doc.description =
      "Charges the card (simulated processor: fraud check, authorization) and marks the order "
      "paid. The same Idempotency-Key returns the same result and never charges twice.";
  pay_doc.params = {header_param("Idempotency-Key", "makes retries safe (at most 255 characters)")};
  pay_doc.request_body_schema = schema_ref("PaymentCreate");
  pay_doc.responses = {response_doc(201, "Payment completed", schema_ref("Payment")),
                       response_doc(200, "Replayed result for the same Idempotency-Key", schema_ref("Payment")),
                       response_doc(402, "Payment declined"), response_doc(404, "Order not found"),
                       response_doc(409, "The order already has a payment")};
  router.post(
      "/payments",
      [&service](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        auto parsed = parse_payment_create(ctx.request);
        if (!parsed.ok()) co_return parsed.error();
        const PaymentRequest& request = parsed.value();
        ctx.span.set_attribute("order.id", id_attribute(request.order_id));
        auto outcome = co_await service.pay(ctx.telemetry, request);
        if (!outcome.ok()) co_return outcome.error();
        const auto& result = outcome.value();
        ctx.span.set_attribute("payment.id", id_attribute(result.payment.id));
        ctx.span.set_attribute("payment.status", result.payment.status);
        auto response = http::Response::json_text(result.replayed ? 200 : 201, payment_json(result.payment));
        if (result.replayed) response.headers.set("Idempotent-Replayed", "true");
        co_return response;
      },
      std::move(pay_doc));

  auto get_doc = route_doc("Get a payment", "payments");
  get_doc.params = {path_int_param("payment_id")};
  get_doc.responses = {response_doc(200, "", schema_ref("Payment")), response_doc(404, "Payment not found")};
  router.get(
      "/payments/{payment_id}",
      [&repository, &blocking](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t id = ctx.request.int_param("payment_id").value_or(0);
        ctx.span.set_attribute("payment.id", id_attribute(id));
        const auto context = ctx.telemetry;
        auto payment = co_await run_blocking(blocking, [&] { return repository.find(context, id); });
        if (!payment.ok()) {
          if (payment.error().code == storage::ErrorCode::kNotFound) {
            co_return not_found_response("Payment", id);
          }
          co_return storage_error_response(payment.error());
        }
        co_return http::Response::json_text(200, payment_json(payment.value()));
      },
      std::move(get_doc));
}

}  // namespace tdemo::services::payments
