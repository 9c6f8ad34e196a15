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

// One step as JSON text: the answer's status and body (as received when it is JSON, else
// null), or the failure. Written, not built as a document: the bodies are JSON text already.
std::string step_json(const DownstreamResult& result) {
  if (!result.ok()) {
    return JsonObjectWriter()
        .field("status", static_cast<std::int64_t>(result.error().status))
        .field("service", result.error().service)
        .field("detail", result.error().detail)
        .take();
  }
  const std::string_view body = result.value().json_text();
  return JsonObjectWriter(32 + body.size())
      .field("status", static_cast<std::int64_t>(result.value().status))
      .json_field("body", body)
      .take();
}

// The id of a created order: its answer's integer "id".
std::optional<std::int64_t> created_order_id(const DownstreamReply& reply) {
  unsigned char buffer[2048];  // an order is a few hundred bytes: parsed on the stack
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  const auto value = boost::json::parse(reply.text, ec, &arena);
  const auto* order = ec ? nullptr : value.if_object();
  const auto* id = order != nullptr ? order->if_contains("id") : nullptr;
  if (id == nullptr || !id->is_int64()) return std::nullopt;
  return id->as_int64();
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
        JsonObjectWriter steps(1024);
        int status = 200;
        std::string detail;

        auto user = co_await downstreams.users.get_user(user_id, context);
        steps.json_field("user", step_json(user));
        if (!user.ok() || user.value().status != 200) {
          status = user.ok() ? user.value().status : user.error().status;
          detail = "user lookup failed";
        } else {
          span.add_event("flow.user_found");
          std::string order_body =
              JsonObjectWriter(64).field("user_id", user_id).field("amount", kDemoAmount)
                  .json_field("items", R"(["demo-item"])").take();
          auto order = co_await downstreams.orders.create_order(std::move(order_body), context);
          steps.json_field("order", step_json(order));
          std::optional<std::int64_t> order_id;
          if (order.ok() && order.value().status == 201) order_id = created_order_id(order.value());
          if (!order_id) {
            status = order.ok() ? (order.value().status < 400 ? 502 : order.value().status) : order.error().status;
            detail = "order creation failed";
          } else {
            span.set_attribute("order.id", id_attribute(*order_id));
            span.set_attribute("order.amount", kDemoAmount);
            span.add_event("flow.order_created");
            std::string payment_body = JsonObjectWriter(96).field("order_id", *order_id)
                                           .field("amount", kDemoAmount).field("card_number", kDemoCard).take();
            std::optional<std::string> key = "full-flow-" + std::to_string(*order_id);
            auto payment = co_await downstreams.payments.create_payment(std::move(payment_body),
                                                                        std::move(key), context);
            steps.json_field("payment", step_json(payment));
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
        const std::string trace_id = ctx.telemetry.span.trace_id().hex();
        JsonObjectWriter body(1280);
        body.field("trace_id", trace_id)
            .field("result", status == 200 ? "completed" : "failed")
            .json_field("steps", steps.take());
        if (!detail.empty()) body.field("detail", detail);
        if (!traces_ui.empty()) body.field("trace_url", traces_ui + "/trace/" + trace_id);
        span.end();
        co_return http::Response::json_text(status, body.take());
      },
      std::move(doc));
}

}  // namespace tdemo::services::gateway
