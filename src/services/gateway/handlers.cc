#include "services/common/card.h"
#include "services/gateway/handlers.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "services/common/route_docs.h"
#include "services/orders/handlers.h"
#include "services/payments/handlers.h"
#include "services/users/handlers.h"
#include "services/common/json_text.h"
#include "telemetry/span.h"
#include "telemetry/telemetry.h"

namespace tdemo::services::gateway {

http::Response proxy_response(const DownstreamResult& result, telemetry::Span& span) {
  if (!result.ok()) {
    span.set_attribute("downstream.failed_service", result.error().service);
    span.set_attribute("error.type", result.error().error_type);
    return failure_response(result.error());
  }
  return reply_response(result.value());
}

namespace {

boost::json::object service_info(const ServiceContext& context, const Downstreams& downstreams) {
  boost::json::array knob_docs;
  for (const auto& doc : services::knob_docs()) {
    knob_docs.push_back(boost::json::object{{"flag", doc.flag}, {"env", doc.env}, {"meaning", doc.meaning}});
  }
  boost::json::object links{{"docs", "/docs"}, {"openapi", "/openapi.json"}, {"health", "/health"},
                            {"metrics", "/metrics"}, {"full_flow_example", "/demo/full-flow/1"}};
  if (!context.config.traces_ui_url.empty()) links["traces"] = context.config.traces_ui_url;
  return boost::json::object{
      {"service", context.telemetry.service_name()},
      {"version", TD_VERSION},
      {"description", "Distributed tracing demo: gateway in front of users, orders and payments"},
      {"endpoints",
       boost::json::array{"GET /", "GET /health", "GET /users/{user_id}", "POST /users",
                          "GET /orders/{order_id}", "POST /orders", "POST /payments",
                          "GET /demo/full-flow/{user_id}", "GET /docs", "GET /openapi.json",
                          "GET /metrics"}},
      {"downstream",
       boost::json::object{{"users", downstreams.users.downstream().base_url()},
                           {"orders", downstreams.orders.downstream().base_url()},
                           {"payments", downstreams.payments.downstream().base_url()}}},
      {"knobs", knobs_json(context.config)},
      {"knob_settings", std::move(knob_docs)},
      {"links", std::move(links)},
  };
}

}  // namespace

void add_routes(http::Router& router, ServiceContext& context, Downstreams downstreams) {
  router.add_schema("User", users::user_schema());
  router.add_schema("UserCreate", users::user_create_schema());
  router.add_schema("Order", orders::order_schema());
  router.add_schema("OrderCreate", orders::order_create_schema());
  router.add_schema("Payment", payments::payment_schema());
  router.add_schema("PaymentCreate", payments::payment_create_schema());
  ServiceContext* ctx_ptr = &context;

  auto root_doc = route_doc("Service info, the demo's knobs and links", "gateway");
  router.get(
      "/",
      [ctx_ptr, downstreams](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        co_return json_response(200, service_info(*ctx_ptr, downstreams));
      },
      std::move(root_doc));

  auto get_user_doc = route_doc("Get a user (from the users service)", "users");
  get_user_doc.params = {path_int_param("user_id")};
  get_user_doc.responses = {response_doc(200, "", schema_ref("User")), response_doc(404, "User not found"),
                            response_doc(503, "The users service is unavailable")};
  router.get(
      "/users/{user_id}",
      [downstreams](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t id = ctx.request.int_param("user_id").value_or(0);
        ctx.span.set_attribute("user.id", id_attribute(id));
        auto result = co_await downstreams.users.get_user(id, ctx.telemetry);
        co_return proxy_response(result, ctx.span);
      },
      std::move(get_user_doc));

  auto create_user_doc = route_doc("Create a user", "users");
  create_user_doc.request_body_schema = schema_ref("UserCreate");
  create_user_doc.responses = {response_doc(201, "User created", schema_ref("User")),
                               response_doc(409, "Email already registered")};
  router.post(
      "/users",
      [downstreams](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        if (auto refused = http::check_json_body(ctx.request)) co_return std::move(*refused);
        auto result = co_await downstreams.users.create_user(ctx.request.body, ctx.telemetry);
        co_return proxy_response(result, ctx.span);
      },
      std::move(create_user_doc));

  auto get_order_doc = route_doc("Get an order", "orders");
  get_order_doc.params = {path_int_param("order_id")};
  get_order_doc.responses = {response_doc(200, "", schema_ref("Order")), response_doc(404, "Order not found")};
  router.get(
      "/orders/{order_id}",
      [downstreams](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t id = ctx.request.int_param("order_id").value_or(0);
        ctx.span.set_attribute("order.id", id_attribute(id));
        auto result = co_await downstreams.orders.get_order(id, ctx.telemetry);
        co_return proxy_response(result, ctx.span);
      },
      std::move(get_order_doc));

  auto create_order_doc = route_doc("Create an order (the user must exist)", "orders");
  create_order_doc.request_body_schema = schema_ref("OrderCreate");
  create_order_doc.responses = {response_doc(201, "Order created", schema_ref("Order")),
                                response_doc(404, "User not found")};
  router.post(
      "/orders",
      [downstreams](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        if (auto refused = http::check_json_body(ctx.request)) co_return std::move(*refused);
        auto result = co_await downstreams.orders.create_order(ctx.request.body, ctx.telemetry);
        co_return proxy_response(result, ctx.span);
      },
      std::move(create_order_doc));

  auto pay_doc = route_doc("Pay an order", "payments");
  pay_doc.description = "Send an Idempotency-Key header to make retries safe.";
  pay_doc.params = {header_param("Idempotency-Key", "same key -> same result, never a second charge")};
  pay_doc.request_body_schema = schema_ref("PaymentCreate");
  pay_doc.responses = {response_doc(201, "Payment completed", schema_ref("Payment")),
                       response_doc(402, "Payment declined"), response_doc(404, "Order not found"),
                       response_doc(409, "The order already has a payment")};
  router.post(
      "/payments",
      [downstreams](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        if (auto refused = http::check_json_body(ctx.request)) co_return std::move(*refused);
        std::optional<std::string> key;
        if (auto header = ctx.request.header("Idempotency-Key")) key = std::string(*header);
        auto result = co_await downstreams.payments.create_payment(ctx.request.body, std::move(key),
                                                                  ctx.telemetry);
        auto response = proxy_response(result, ctx.span);
        if (result.ok() && result.value().status == 200) response.headers.set("Idempotent-Replayed", "true");
        co_return response;
      },
      std::move(pay_doc));

  add_full_flow_route(router, context, downstreams);
  add_docs_routes(router);
  if (context.config.trace_context_test) add_trace_context_test_route(router, context);
}

}  // namespace tdemo::services::gateway
