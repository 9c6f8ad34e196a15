#include "services/common/card.h"
#include "services/orders/handlers.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "services/common/route_docs.h"
#include "services/common/validation.h"
#include "services/common/json_text.h"
#include "telemetry/span.h"

namespace tdemo::services::orders {

boost::json::value order_schema() {
  return boost::json::parse(R"({
    "title": "Order", "type": "object",
    "required": ["id", "user_id", "amount", "items", "status", "created_at"],
    "properties": {
      "id": {"title": "Id", "type": "integer"},
      "user_id": {"title": "User Id", "type": "integer"},
      "amount": {"title": "Amount", "type": "number"},
      "items": {"title": "Items", "type": "array", "items": {}},
      "status": {"title": "Status", "type": "string", "enum": ["created", "paid"]},
      "payment_id": {"title": "Payment Id", "anyOf": [{"type": "integer"}, {"type": "null"}]},
      "created_at": {"title": "Created At", "type": "string", "format": "date-time"}
    }})");
}

boost::json::value order_create_schema() {
  return boost::json::parse(R"({
    "title": "OrderCreate", "type": "object", "required": ["user_id", "amount"],
    "properties": {
      "user_id": {"title": "User Id", "type": "integer", "exclusiveMinimum": 0},
      "amount": {"title": "Amount", "type": "number", "exclusiveMinimum": 0,
                 "maximum": 1000000, "multipleOf": 0.01},
      "items": {"title": "Items", "type": "array", "items": {}, "maxItems": 100}
    },
    "example": {"user_id": 1, "amount": 99.99, "items": ["book"]}})");
}

namespace {

boost::json::value mark_paid_schema() {
  return boost::json::parse(R"({
    "title": "MarkPaid", "type": "object", "required": ["payment_id"],
    "properties": {"payment_id": {"title": "Payment Id", "type": "integer"}}})");
}

}  // namespace

Outcome<storage::NewOrder> parse_order_create(const http::Request& request) {
  auto body = http::parse_json_body(request);
  if (body.error) return std::move(*body.error);
  BodyValidator validator(body.value);
  auto user_id = validator.int_field("user_id", 0);
  auto amount = validator.money_field("amount", kMaxAmountCents);
  auto items = validator.optional_list_field("items", kMaxItems);
  if (!validator.ok()) return http::validation_error(validator.issues());
  return storage::NewOrder{*user_id, *amount, boost::json::serialize(*items)};
}

Outcome<std::int64_t> parse_mark_paid(const http::Request& request) {
  auto body = http::parse_json_body(request);
  if (body.error) return std::move(*body.error);
  BodyValidator validator(body.value);
  auto payment_id = validator.int_field("payment_id", 0);
  if (!validator.ok()) return http::validation_error(validator.issues());
  return *payment_id;
}

void add_routes(http::Router& router, OrderService& service) {
  router.add_schema("Order", order_schema());
  router.add_schema("OrderCreate", order_create_schema());
  router.add_schema("MarkPaid", mark_paid_schema());

  auto get_doc = route_doc("Get an order", "orders");
  get_doc.params = {path_int_param("order_id")};
  get_doc.responses = {response_doc(200, "", schema_ref("Order")), response_doc(404, "Order not found")};
  router.get(
      "/orders/{order_id}",
      [&service](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t id = ctx.request.int_param("order_id").value_or(0);
        ctx.span.set_attribute("order.id", id_attribute(id));
        auto order = co_await service.get_order(ctx.telemetry, id);
        if (!order.ok()) co_return order.error();
        co_return http::Response::json_text(200, order_json(order.value()));
      },
      std::move(get_doc));

  auto create_doc = route_doc("Create an order", "orders");
  create_doc.description = "The user must exist (checked with the users service).";
  create_doc.request_body_schema = schema_ref("OrderCreate");
  create_doc.responses = {response_doc(201, "Order created", schema_ref("Order")),
                          response_doc(404, "User not found"),
                          response_doc(503, "The users service is unavailable")};
  router.post(
      "/orders",
      [&service](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        auto order = parse_order_create(ctx.request);
        if (!order.ok()) co_return order.error();
        auto created = co_await service.create_order(ctx.telemetry, std::move(order).value());
        if (!created.ok()) co_return created.error();
        ctx.span.set_attribute("order.id", id_attribute(created.value().id));
        co_return http::Response::json_text(201, order_json(created.value()));
      },
      std::move(create_doc));

  auto pay_doc = route_doc("Mark an order paid (called by the payments service)", "internal");
  pay_doc.params = {path_int_param("order_id")};
  pay_doc.request_body_schema = schema_ref("MarkPaid");
  pay_doc.responses = {response_doc(200, "", schema_ref("Order")), response_doc(404, "Order not found"),
                       response_doc(409, "Already paid by another payment")};
  router.post(
      "/orders/{order_id}/pay",
      [&service](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t id = ctx.request.int_param("order_id").value_or(0);
        auto payment_id = parse_mark_paid(ctx.request);
        if (!payment_id.ok()) co_return payment_id.error();
        auto paid = co_await service.mark_paid(ctx.telemetry, id, payment_id.value());
        if (!paid.ok()) co_return paid.error();
        co_return http::Response::json_text(200, order_json(paid.value()));
      },
      std::move(pay_doc));
}

}  // namespace tdemo::services::orders
