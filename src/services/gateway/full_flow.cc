// GET /demo/full-flow/{user_id}: look the user up, create an order, pay it; every step's
// result and the trace id in one answer (the whole flow is one trace).
#include <cstdint>
#include <optional>

#include <boost/json.hpp>

#include "services/common/card.h"
#include "services/common/json_text.h"
#include "services/common/responses.h"
#include "services/common/route_docs.h"
#include "services/gateway/handlers.h"
#include "telemetry/span.h"

namespace tdemo::services::gateway {
namespace {

// The demo order: a fixed, realistic amount so the demo is reproducible.
constexpr double kDemoAmount = 99.99;
constexpr const char* kDemoCard = "4242424242424242";  // a test card that the processor accepts

boost::json::object step_json(const DownstreamResult& result) {
  if (!result.ok()) {
    return boost::json::object{{"status", result.error().status},
                               {"service", result.error().service},
                               {"detail", result.error().detail}};
  }
  return boost::json::object{{"status", result.value().status}, {"body", result.value().json()}};
}

}  // namespace

void add_full_flow_route(http::Router& router, ServiceContext& context, Downstreams downstreams) {
  auto doc = route_doc("Demo: look up a user, create an order, pay it (one trace)", "demo");
  doc.params = {path_int_param("user_id")};
  doc.responses = {response_doc(200, "Every step succeeded"), response_doc(402, "The payment was declined"),
                   response_doc(404, "User not found")};
  telemetry::Tracer tracer = context.tracer;
  const std::string traces_ui = context.config.traces_ui_url;
  router.get(
      "/demo/full-flow/{user_id}",
      [downstreams, tracer, traces_ui](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        const std::int64_t user_id = ctx.request.int_param("user_id").value_or(0);
        auto span = tracer.start_span("demo.full_flow", ctx.telemetry);
        span.set_attribute("user.id", id_attribute(user_id));
        const auto context = telemetry::context_with(ctx.telemetry, span);
        boost::json::object steps;
        int status = 200;
        std::string detail;

        auto user = co_await downstreams.users.get_user(user_id, context);
        steps["user"] = step_json(user);
        if (!user.ok() || user.value().status != 200) {
          status = user.ok() ? user.value().status : user.error().status;
          detail = "user lookup failed";
        } else {
          span.add_event("flow.user_found");
          boost::json::object order_body{{"user_id", user_id}, {"amount", kDemoAmount},
                                         {"items", boost::json::array{"demo-item"}}};
          auto order = co_await downstreams.orders.create_order(std::move(order_body), context);
          steps["order"] = step_json(order);
          std::optional<std::int64_t> order_id;
          if (order.ok() && order.value().status == 201) {
            const auto* created = steps["order"].as_object().at("body").if_object();
            const auto* id = created != nullptr ? created->if_contains("id") : nullptr;
            if (id != nullptr && id->is_int64()) order_id = id->as_int64();
          }
          if (!order_id) {
            status = order.ok() ? (order.value().status < 400 ? 502 : order.value().status) : order.error().status;
            detail = "order creation failed";
          } else {
            span.set_attribute("order.id", id_attribute(*order_id));
            span.set_attribute("order.amount", kDemoAmount);
            span.add_event("flow.order_created");
            boost::json::object payment_body{{"order_id", *order_id}, {"amount", kDemoAmount},
                                             {"card_number", kDemoCard}};
            std::optional<std::string> key = "full-flow-" + std::to_string(*order_id);
            auto payment = co_await downstreams.payments.create_payment(std::move(payment_body),
                                                                        std::move(key), context);
            steps["payment"] = step_json(payment);
            if (!payment.ok() || payment.value().status >= 300) {
              status = payment.ok() ? payment.value().status : payment.error().status;
              detail = status == 402 ? "payment declined" : "payment failed";
            } else {
              span.set_attribute("payment.status", "completed");
              span.add_event("flow.payment_completed");
            }
          }
        }
        if (status != 200) {
          span.set_attribute("flow.failed_step", detail);
          if (status >= 500 || status == 402) mark_span_error(span, "flow_failed", detail);
        }
        boost::json::object body{{"trace_id", ctx.telemetry.span.trace_id().hex()},
                                 {"result", status == 200 ? "completed" : "failed"},
                                 {"steps", std::move(steps)}};
        if (!detail.empty()) body["detail"] = detail;
        if (!traces_ui.empty()) body["trace_url"] = traces_ui + "/trace/" + ctx.telemetry.span.trace_id().hex();
        span.end();
        co_return json_response(status, body);
      },
      std::move(doc));
}

}  // namespace tdemo::services::gateway
